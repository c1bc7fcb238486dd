# Read by gunicorn from the project folder (its default config file).
# The access log masks customer tokens (configurator/logmask.py).
logger_class = "configurator.logmask.GunicornLogger"
# Behind a load balancer that keeps connections open (haproxy, nginx): keep idle
# connections longer than the balancer does, or it may reuse one gunicorn just closed.
keepalive = 75
