"""The quotes API v1 (django-ninja): ``endpoints.py`` (the router), ``inputs.py`` (a
body → the draft's values, through the step forms), ``answers.py`` (a quote as JSON),
``schemas.py`` (both as pydantic models, for the OpenAPI schema), ``services.py``
(create, change)."""
