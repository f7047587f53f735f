"""Infrastructure shared by every domain package. Imports no domain package."""
