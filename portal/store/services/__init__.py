"""E-services: catalogue, e-certificates (signed PDFs with verification codes) and applications to local executives."""
