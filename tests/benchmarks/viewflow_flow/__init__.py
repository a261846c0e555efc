"""The field-report process as a django-viewflow 2 flow, for the services benchmark."""
