from ..events.conftest import nairobi_text  # noqa: F401  (the issue's event file, as a fixture here too)
