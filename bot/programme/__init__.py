"""The programme: ingestion results as events, and who listens to them."""
