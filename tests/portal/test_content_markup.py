"""The one body renderer (qmss.portal.markup): user text is never HTML, links and images are restricted, the
work is bounded. Pure functions: no database."""

from qmss.portal import markup


def test_html_and_script_in_the_body_stay_text():
    html = markup.render('Ahoj <script>alert("x")</script> <b onclick="x()">tučně</b>\n\n<img src=x onerror=alert(1)>')
    assert "<script" not in html and "<b " not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;b onclick=" in html
    # Markdown itself still works; headings start below the page's h1
    html = markup.render("# Nadpis\n\n**tučně** a *kurzíva*\n\n- bod")
    assert "<h2>Nadpis</h2>" in html and "<strong>tučně</strong>" in html and "<li>bod</li>" in html


def test_only_safe_links_and_same_origin_images():
    html = markup.render(
        "[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](data:text/html,x) [d](//zly.example/) "
        "[e](https://www.mpsv.cz/) [f](/osveta/) [g](mailto:info@example.cz) "
        "![cizí](https://zly.example/sledovani.png) ![naše](/static/img/logo.png)"
    )
    assert "javascript:" not in html.lower().replace("[a](javascript:", "").replace("[b](javascript:", "")
    assert 'href="javascript' not in html.lower() and 'href="data:' not in html and 'href="//' not in html
    assert '<a href="https://www.mpsv.cz/" rel="noopener noreferrer">e</a>' in html
    assert '<a href="/osveta/">f</a>' in html and '<a href="mailto:info@example.cz">g</a>' in html
    assert "zly.example/sledovani.png" not in html and "cizí" in html  # the alt text instead of the image
    assert '<img src="/static/img/logo.png" alt="naše">' in html


def test_rendering_is_bounded():
    html = markup.render("a" * (markup.MAX_CHARS + 5000))
    assert html.count("a") <= markup.MAX_CHARS + 10
    assert markup.plain_text("# Nadpis\n\nNějaký *text* " + "slovo " * 200, 50).endswith("…")
