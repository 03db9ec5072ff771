"""The hello-world baseline: the cheapest possible Flask response.

Every other row of the benchmark table is divided by this app's req/s,
measured on the same server setup in the same run, so the ratios say how
much consent-kit costs on top of Flask itself on this machine.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    """Return a fixed short text."""
    return "Hello, World!"
