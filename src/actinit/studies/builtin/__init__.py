"""The classic studies as study files, found by name (``actinit run moons``)."""
