"""A page at /hello that says hello in plain words, drawn with consent-kit's own base.html."""

from flask import Blueprint, render_template

bp = Blueprint("hello", __name__, url_prefix="/hello", template_folder="templates")


@bp.get("/")
def hello():
    return render_template("hello/page.html")
