"""A web worker compiles every page template when it starts (corrections.warm_up)."""

from __future__ import annotations

from corrections import create_app, warm_up


def test_warm_up_compiles_every_template_into_the_cache(app):
    names = app.jinja_env.list_templates(filter_func=lambda n: n.endswith(".html"))
    assert "base.html" in names and len(names) > 50
    assert warm_up(app) == len(names)
    cached = {key[1] for key in app.jinja_env.cache._mapping}  # (loader ref, name)
    assert set(names) <= cached


def test_production_warms_up_and_testing_does_not(monkeypatch, tmp_path):
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    url = f"sqlite:///{tmp_path / 'w.db'}"
    production = create_app(
        "production", {"SECRET_KEY": "k", "AUDIT_KEY": "k", "SQLALCHEMY_DATABASE_URI": url}
    )
    assert production.config["WARM_UP"] is True
    assert len(production.jinja_env.cache) > 50
    testing = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    assert testing.config["WARM_UP"] is False
    assert len(testing.jinja_env.cache) == 0


def test_a_worker_warms_up_on_the_dashboard_and_writes_nothing(app, demo_county):
    from sqlalchemy import func, select

    from corrections import warm_up_worker
    from corrections.audit.models import AuditEvent
    from corrections.extensions import db

    with app.app_context():
        before = db.session.execute(select(func.count()).select_from(AuditEvent)).scalar()
    assert warm_up_worker(app) is True
    with app.app_context():
        after = db.session.execute(select(func.count()).select_from(AuditEvent)).scalar()
    assert after == before


def test_without_a_supervisor_the_warm_up_renders_nothing(app):
    from corrections import warm_up_worker

    assert warm_up_worker(app) is False


def test_gunicorn_warms_each_worker(monkeypatch, app):
    import runpy
    from types import SimpleNamespace

    import corrections

    called = []
    monkeypatch.setattr(corrections, "warm_up_worker", lambda a: called.append(a) or True)
    conf = runpy.run_path("deploy/gunicorn.conf.py")
    conf["post_worker_init"](SimpleNamespace(wsgi=app))
    conf["post_worker_init"](SimpleNamespace(wsgi=object()))  # not the Flask app: skipped
    assert called == [app]
