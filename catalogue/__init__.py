"""The application: command line, settings, storage and (later) the site."""
