"""Pure checks: each takes the intent and the state an adapter fetched (AWS, Palette and Kubernetes API
response documents, as the APIs return them) and returns findings. No I/O here."""
