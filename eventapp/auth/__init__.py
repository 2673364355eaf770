"""Staff accounts: login, roles and the decorators every organiser route declares."""
