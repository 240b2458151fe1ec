"""RENDER: the Jinja environment over the theme chain, and the Renderer that
renders a page and says what its key is made of.

A site's own ``themes/<name>/`` is found before the bundled themes; a theme
that says ``extends: default`` overrides only the templates and static files
it has.  Autoescaping is on for every template.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path
from typing import NamedTuple

import jinja2
from markupsafe import Markup
from jinja2 import meta, nodes

from branchboard.build.cache import seal, unseal_from
from branchboard.errors import BoardError
from branchboard.fingerprint import Fingerprinter, digest
from branchboard.build.markup import relative_url
from branchboard.build.speedups import CHOSEN, environment_class, keep_parsed
from branchboard.qr import qr_code
from branchboard.site.theme import Theme, _rel

WEEKDAYS = "一二三四五六日"


def cn_date(value, with_time: bool = False) -> str:
    if not value:
        return ""
    text = f"{value.year}年{value.month}月{value.day}日 星期{WEEKDAYS[value.weekday()]}"
    if with_time and isinstance(value, dt.datetime):
        text += f" {value.hour:02d}:{value.minute:02d}"
    return text


def cn_date_short(value) -> str:
    return f"{value.month}月{value.day}日" if value else ""


def iso_date(value) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


@jinja2.pass_context
def url(ctx, target: str) -> str:
    """Relative URL from the page being rendered to a site-root-relative path."""
    return relative_url(target, ctx["page_path"])


@jinja2.pass_context
def picture(ctx, photos, rel: str, use: str, sizes: str = "") -> Markup:
    """An ``img``'s src (and srcset with ``sizes``, width and height) for an
    image under content/ shown as ``use`` (photos.derive.USES); an image that
    is not processed (SVG, GIF) keeps its own file.  The template passes
    ``photos`` by name, so that its pages' keys follow the photos."""
    page = ctx["page_path"]
    found = photos.picture(rel, use) if rel else None
    if found is None:
        return Markup('src="{}"').format(relative_url(rel, page))
    attrs = Markup('src="{}"').format(relative_url(found.src, page))
    if len(found.files) > 1:
        srcset = ", ".join(f"{relative_url(p, page)} {w}w" for p, w, _h in found.files)
        attrs += Markup(' srcset="{}"').format(srcset)
        if sizes:  # (only beside a srcset: HTML allows it nowhere else)
            attrs += Markup(' sizes="{}"').format(sizes)
    return attrs + Markup(' width="{}" height="{}"').format(*found.size)


def make_environment(theme: Theme, bytecode_dir: Path | None = None,
                     speedups: bool | None = None) -> jinja2.Environment:
    """The theme chain's environment; with the speed-ups (by default as this
    process chose, speedups.CHOSEN) one that compiles from the renderer's trees."""
    cache = None
    if bytecode_dir is not None:
        try:
            bytecode_dir.mkdir(parents=True, exist_ok=True)
            cache = SealedBytecodeCache(bytecode_dir)
        except OSError:
            cache = None  # a read-only site still builds
    speedups = CHOSEN.jinja if speedups is None else speedups
    env = environment_class(speedups)(
        bytecode_cache=cache,
        loader=jinja2.FileSystemLoader([str(d) for d in theme.template_dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # one environment per build: no need to stat the templates for every page
    )
    env.globals["url"] = url
    env.globals["picture"] = picture
    env.globals["qr_code"] = qr_code
    env.filters["cn_date"] = cn_date
    env.filters["cn_date_short"] = cn_date_short
    env.filters["iso_date"] = iso_date
    return env


class SealedBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in the build cache, each file sealed with a
    checksum (build.cache.seal): a damaged file is compiled again, never
    run; a file that cannot be written (a full disk) only makes the next
    build compile again."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _path(self, bucket) -> Path:
        return self.folder / f"{bucket.key}.cache"

    def load_bytecode(self, bucket) -> None:
        try:
            with open(self._path(bucket), "rb") as fh:
                payload = unseal_from(fh)
        except OSError:
            return
        if payload is not None:
            bucket.load_bytecode(io.BytesIO(payload))

    def dump_bytecode(self, bucket) -> None:
        made = io.BytesIO()
        bucket.write_bytecode(made)
        target = self._path(bucket)
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        try:
            tmp.write_bytes(seal(made.getvalue()))
            os.replace(tmp, target)
        except OSError:
            tmp.unlink(missing_ok=True)


class PageMemory:
    """What a long-running process keeps about its pages from one build to
    the next: the fingerprints of what they show and what each page was made of."""

    def __init__(self):
        self.fingerprints = Fingerprinter()
        self.contexts: dict[str, PageMade] = {}  # page path -> what made it


class PageMade(NamedTuple):
    """What a page was made of in a build, and the key that made."""

    template_key: str
    context: object  # what the page shows, or the text of its fingerprints
    key: str


class Renderer:
    """Renders pages; a template mistake becomes a BoardError naming the template.

    It also says what a page is made from (``page_keys``): the files of its
    template with everything it extends, includes and imports, the site-wide
    values those templates name, the page's own context and its path.  A value
    the templates never name is no dependency; a template name that cannot be
    known before rendering (a computed include) makes the page depend on
    everything.
    """

    def __init__(self, env: jinja2.Environment, common: dict, site_dir: Path, memo: dict | None = None,
                 memory: PageMemory | None = None):
        self.env = env
        self.common = common
        self.site_dir = site_dir
        # template name -> (hash of its files, names it uses); kept by the caller
        # for as long as the theme's files stay the same
        self._closures: dict[str, tuple[str, frozenset]] = memo if memo is not None else {}
        self._globals: dict[str, str] = {}  # template -> its key; "\0name" -> a value's fingerprint
        self.memory = memory or PageMemory()
        self._fingerprints = self.memory.fingerprints
        self._fingerprints.new_build()
        # page path -> PageMade, of the previous build in this process and of this one
        self._previous, self._contexts = self.memory.contexts, {}
        self.memory.contexts = self._contexts

    def page_keys(self, pages) -> list[str]:
        """The key of each (template, page path, context), in one pass: a
        site has thousands of pages, and most are as they were."""
        previous, contexts, template_key = self._previous, self._contexts, self._template_key
        keys = []
        for template, page_path, context in pages:
            made_by = template_key(template)
            last = previous.get(page_path)
            if last is not None and last.template_key == made_by and (last.context is context
                                                                     or _same_values(last.context, context)):
                key = last.key  # nothing this page shows changed since the previous build
            else:  # (a text is already made of fingerprints: see PageSpec.inputs)
                key = digest(made_by, page_path, context if type(context) is str else self._fingerprints.of(context))
            contexts[page_path] = PageMade(made_by, context, key)
            keys.append(key)
        return keys

    def _template_key(self, template: str) -> str:
        """The template's files and the site-wide values it names, once per build."""
        key = self._globals.get(template)
        if key is None:
            files_hash, names = self._closure(template)
            used = sorted(names & self.common.keys())
            key = self._globals[template] = digest(files_hash, *(f"{n}={self._global(n)}" for n in used))
        return key

    def _global(self, name: str) -> str:
        key = f"\0{name}"  # beside the templates' keys, never mistaken for one
        if key not in self._globals:
            self._globals[key] = self._fingerprints.of(self.common[name])
        return self._globals[key]

    def _closure(self, name: str) -> tuple[str, frozenset]:
        """Hash of a template's files and the names it uses, following references."""
        if name in self._closures:
            return self._closures[name]
        seen: dict[str, str] = {}
        names: set[str] = set()
        pending = [name]
        while pending:
            current = pending.pop()
            if current in seen:
                continue
            try:
                source, filename, _uptodate = self.env.loader.get_source(self.env, current)
                ast = self.env.parse(source, current, filename)
            except jinja2.TemplateError:
                seen[current] = ""  # render() reports it with file and line
                continue
            keep_parsed(self.env, current, source, ast)
            seen[current] = source
            # every name the template reads: more than the variables it leaves
            # to its caller (its own loop variables too), which can only add a
            # dependency, and a walk of the tree instead of a code generator's
            # pass over it (find_undeclared_variables), which cold builds paid for
            names |= {node.name for node in ast.find_all(nodes.Name) if node.ctx == "load"}
            for ref in meta.find_referenced_templates(ast):
                if ref is None:  # computed at render time: depend on everything
                    names |= set(self.common)
                    pending += self.env.list_templates()
                else:
                    pending.append(ref)
        result = (digest(*(f"{k}\0{v}" for k, v in sorted(seen.items()))), frozenset(names))
        self._closures[name] = result
        return result

    def names(self, template: str) -> frozenset:
        """Every name the template and the templates it uses read."""
        return self._closure(template)[1]

    def preload(self, template: str) -> None:
        """Compile a template now (before helper processes are forked); a
        mistake in it is reported when a page is rendered."""
        try:
            self.env.get_template(template)
        except jinja2.TemplateError:
            pass

    def render(self, template: str, page_path: str, **context) -> str:
        try:
            tpl = self.env.get_template(template)
            return tpl.render(self.common, page_path=page_path, **context)
        except jinja2.TemplateSyntaxError as exc:
            raise BoardError(self._where(exc.filename), exc.lineno, None,
                             f"模板语法错误：{exc.message}") from None
        except jinja2.TemplateNotFound as exc:
            raise BoardError("themes", None, None, f"主题里缺少模板 {exc.name}") from None
        except (jinja2.UndefinedError, TypeError, ValueError) as exc:
            filename, line = _template_frame(exc)
            if filename is None:
                raise
            raise BoardError(self._where(filename), line, None,
                             f"生成 {page_path} 时模板出错：{exc}") from None

    def _where(self, filename: str | None) -> str:
        return _rel(Path(filename), self.site_dir) if filename else "themes"


_IMMUTABLE = (str, int, float, bool, type(None))


def _same_values(old, new) -> bool:
    """Two page contexts (dicts, or the fingerprints of what a page shows as
    one text) hold equal values that cannot have changed since: text, numbers
    and frozen dataclasses (an article, a listing)."""
    if type(new) is str:
        return type(old) is str and old == new
    if type(old) is not dict or type(new) is not dict or old.keys() != new.keys():
        return False
    for name, value in new.items():
        before = old[name]
        if not (isinstance(value, _IMMUTABLE) or _is_frozen(value)):
            return False
        if before is not value and (type(before) is not type(value) or before != value):
            return False
    return True


def _is_frozen(value) -> bool:
    params = getattr(type(value), "__dataclass_params__", None)
    return params is not None and params.frozen


def _template_frame(exc: BaseException):
    """The innermost template file and line in a traceback, if any."""
    tb = exc.__traceback__
    found = (None, None)
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith((".html", ".xml", ".txt", ".js", ".css")):
            found = (name, tb.tb_lineno)
        tb = tb.tb_next
    return found


class StoredHtml:
    """HTML that is read only when a page that shows it is rendered (a
    cached article body).  Jinja's autoescaping takes it as markup
    (``__html__``); its fingerprint says what it is without reading it."""

    __slots__ = ("fingerprint", "_read")

    def __init__(self, fingerprint: str, read):
        self.fingerprint = fingerprint
        self._read = read

    def __html__(self) -> str:
        return self._read()

    def __str__(self) -> str:
        return self._read()
