"""Every template compiles (a syntax error anywhere fails here, not on the page that uses it), and is then
cached, as gunicorn's master does before forking its workers."""

from eventapp.templating import compile_all_templates


def test_every_template_compiles_ahead_and_stays_compiled(app):
    count = compile_all_templates(app)
    assert count == len(app.jinja_env.list_templates()) >= 30
    assert "registration/register.html" in app.jinja_env.list_templates()
    compiled = app.jinja_env.get_template("registration/register.html")
    assert app.jinja_env.get_template("registration/register.html") is compiled  # from the cache, not recompiled
    assert app.jinja_env.cache is not None and len(app.jinja_env.cache) >= count
