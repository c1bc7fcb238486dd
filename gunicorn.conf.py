# Read by gunicorn from the project folder (its default config file).
# The access log masks customer tokens (configurator/logmask.py).
logger_class = "configurator.logmask.GunicornLogger"
