"""``drafter serve``: the web workspace in a browser."""

from __future__ import annotations

import click

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; any but 127.0.0.1/localhost requires accounts "
                   "(users.yaml, see drafter users add).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--open", "open_browser", is_flag=True, help="Open the workspace in a browser.")
@click.option("--upload-limit", default=20, show_default=True, type=click.IntRange(1, 1024),
              metavar="MB", help="Largest upload accepted, in MB.")
@click.option("--federal-register-url", metavar="URL",
              help="Base URL of the Federal Register API (default: the public API, or "
                   "$DRAFTER_FEDERAL_REGISTER_URL).")
@click.pass_obj
def serve(opts, host, port, open_browser, upload_limit, federal_register_url):
    """Serve the workspace to a browser (consultations, library, review edits, batch).

    Binds to 127.0.0.1 without sign-in by default; with another --host every person signs
    in with an account from users.yaml.
    """
    try:
        import uvicorn

        from drafter.web.app import create_app
        from drafter.web.state import MB, WebSettings
    except ImportError as exc:
        raise click.ClickException(f"the web extra is not installed ({exc.name}): pip install "
                                   "'drafter[web]'") from None
    settings = WebSettings(opts.workspace, sign_in=host not in LOCAL_HOSTS,
                           upload_limit=upload_limit * MB,
                           federal_register_url=federal_register_url)
    app = create_app(settings)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    click.echo(f"drafter: serving {opts.workspace.root} at {url}"
               + (" (sign-in required)" if settings.sign_in else "") + "; Ctrl-C stops",
               err=True)
    if open_browser:
        import threading
        import webbrowser
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    uvicorn.run(app, host=host, port=port, log_level="warning")
