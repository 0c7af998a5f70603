"""Lay the built books out like the repository, so that their links work.

Run by docs/book after mdBook has written OUT/docs/en and OUT/docs/ko:

    python3 docs/mdbook/site.py REPOSITORY OUT

A chapter links to ../python/udp_server.py and ../../udp-server/src/main.rs,
as on the repository page. This copies the repository's files (those git
knows, less the chapters themselves) to the same places under OUT, writes
beside each text file a page that shows it highlighted (FILE.html; for
FILE.md, whose links mdBook turns into FILE.html, that page takes the
.html name), and writes OUT/index.html, which leads to the English book.
"""

import html
import os
import shutil
import subprocess
import sys
from pathlib import Path

# The chapters become the books; they are not copied as files.
SKIP = ("docs/en/", "docs/ko/", "docs/mdbook/")

LANGUAGES = {
    ".rs": "rust",
    ".py": "python",
    ".toml": "ini",
    ".md": "markdown",
    ".sh": "bash",
    ".json": "json",
    ".yml": "yaml",
}

VIEW = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{path}</title>
<link rel="stylesheet" href="{book}{css}">
<style>
body {{ font-family: sans-serif; margin: 1em auto; max-width: 62em;
  padding: 0 1em; }}
.file {{ display: flex; border: 1px solid #ddd; }}
pre {{ margin: 0; padding: 0.8em; line-height: 1.45; }}
pre.lines {{ text-align: right; color: #999; user-select: none;
  border-right: 1px solid #ddd; }}
pre.lines a {{ color: inherit; text-decoration: none; }}
pre.lines a:target {{ background: #ff0; color: #000; }}
pre.code {{ flex: 1; overflow-x: auto; }}
</style>
</head>
<body>
<p><a href="javascript:history.back()">&larr; back</a> &middot;
<strong>{path}</strong> &middot; <a href="{raw}">raw file</a></p>
<div class="file"><pre class="lines">{lines}</pre><pre class="code"><code class="language-{language}">{code}</code></pre></div>
<script src="{book}{js}"></script>
<script>
for (const block of document.querySelectorAll("pre code")) {{
  (hljs.highlightElement || hljs.highlightBlock).call(hljs, block);
}}
</script>
</body>
</html>
"""

INDEX = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="refresh" content="0; url=docs/en/">
<title>Socket programming in Rust</title>
</head>
<body>
<p><a href="docs/en/">Socket programming in Rust</a> &middot;
<a href="docs/ko/" lang="ko">러스트로 하는 소켓 프로그래밍</a></p>
</body>
</html>
"""


def repository_files(repo: Path) -> list[str]:
    """The files git tracks, and new ones it does not ignore."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others",
             "--exclude-standard"],
            cwd=repo, check=True, capture_output=True,
        ).stdout
        return sorted(set(out.decode().split("\0")) - {""})
    except (OSError, subprocess.CalledProcessError):
        # Not a git checkout (an unpacked archive): every file but the
        # hidden ones and the build output.
        files = []
        for root, dirs, names in os.walk(repo):
            dirs[:] = [d for d in dirs if not d.startswith(".")
                       and d not in ("target", "node_modules")]
            for name in names:
                path = Path(root, name).relative_to(repo).as_posix()
                files.append(path)
        return sorted(files)


def highlight_files(out: Path) -> tuple[str, str]:
    """mdBook's highlight.js and its stylesheet (their names may carry a
    hash), relative to OUT/docs/en."""
    book = out / "docs" / "en"
    js = sorted(book.glob("highlight*.js"))
    css = sorted(book.glob("highlight*.css"))
    if not js or not css:
        sys.exit(f"no highlight.js or highlight.css in {book}")
    return js[0].name, css[0].name


def main() -> None:
    repo, out = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    js, css = highlight_files(out)
    for path in repository_files(repo):
        if path.startswith(SKIP) or not (repo / path).is_file():
            continue
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(repo / path, target)
        try:
            text = (repo / path).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # not text: copied, not shown
        view = (target.with_suffix(".html") if target.suffix == ".md"
                else target.with_name(target.name + ".html"))
        if view.exists():
            continue
        depth = path.count("/")
        view.write_text(VIEW.format(
            path=html.escape(path),
            book="../" * depth + "docs/en/",
            css=css, js=js,
            raw=html.escape(target.name),
            language=LANGUAGES.get(target.suffix, "plaintext"),
            code=html.escape(text),
            # #L12 leads to line 12, as on the repository page.
            lines="\n".join(f'<a id="L{n}" href="#L{n}">{n}</a>'
                             for n in range(1, text.count("\n") + 2
                                            - text.endswith("\n"))),
        ), encoding="utf-8")
    (out / "index.html").write_text(INDEX, encoding="utf-8")


if __name__ == "__main__":
    main()
