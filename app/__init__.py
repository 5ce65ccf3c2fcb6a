"""The application layer: the flows both front ends call (app.flows), who may do what when
started elevated (app.elevation_door) and the crash log (app.crashlog). Above cases and
reports, below cli, gui and main.py; no Qt here."""
