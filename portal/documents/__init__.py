"""Documents the portal issues: e-certificate PDFs and their electronic signatures (the signing edge)."""
