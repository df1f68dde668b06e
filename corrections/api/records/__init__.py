"""The API's records by area, each declared once (corrections.schema; docs/api.md: How the
API is described): the model the API writes, its ``of`` that fills it from the database
objects, and the models of the bodies it reads."""
