"""The only place that reads or writes the database: Tortoise models and the use cases over them."""
