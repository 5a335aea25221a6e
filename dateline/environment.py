"""The Jinja Environment of a build: Jinja's own, without three costs it adds to every page, and showing each
article a page names (by its Placement) as the article's view."""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from types import FunctionType, MethodType
from typing import Any

import jinja2
import markupsafe
from jinja2.compiler import CodeGenerator, Frame
from jinja2.nodes import Expr
from jinja2.runtime import Context, Macro, missing
from jinja2.utils import _PassArg, internalcode
from markupsafe import Markup

from dateline.pages import Placement

# markupsafe's C escaping of a str, without the Markup it wraps the result in (feature-detected: private).
_escape_text = getattr(markupsafe, "_escape_inner", None) or (lambda text: str(markupsafe.escape(text)))


def escape_output(value: Any, /) -> str:
    """What markupsafe.escape gives, as the plain string it is made of: for a value written to the page.

    Jinja escapes every {{ value }} with markupsafe.escape, which wraps its result in a new Markup (a copy
    of the string, through a Python-level __new__), only for the page's parts to be joined into one string
    right after: 57 times per article page. Safe because the result only ever goes into that join.
    """
    kind = type(value)
    if kind is str:
        return _escape_text(value)
    if kind is Markup:  # already safe, and already a str
        return value
    html = getattr(value, "__html__", None)
    if html is not None:
        return html()
    return _escape_text(str(value))


class OutputEscapingCodeGenerator(CodeGenerator):
    """Jinja's code generator, escaping autoescaped output with escape_output (Environment.escape_output).

    Only a value written out goes through it: Jinja still wraps what a macro, a call block or a {% set %}
    block returns in Markup, so their results stay safe wherever they are used next.
    """

    def _output_child_pre(self, node: Expr, frame: Frame, finalize: Any) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:  # {% autoescape %} blocks, .txt templates
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("environment.escape_output(")
        if finalize.src is not None:
            self.write(finalize.src)


_PLAIN_FUNCTIONS = (FunctionType, MethodType)  # a bound method answers for its function (pass_context...)


class BuildContext(Context):
    """Jinja's template context, calling macros and plain functions without asking them for a context.

    Templates call every macro and function through Context.call, which first asks the callable (and its
    __call__) whether it wants the context, the eval context or the Environment: four attribute lookups
    per call, 22 calls per article page. A plain function or method (such as an extension's) takes what
    Jinja's pass_context (or kind) marked it for, which one lookup tells: the gettext functions, 8 calls
    per article page, want the eval context and get it here. A macro takes the eval context (so that it
    escapes its result as its caller's output is escaped); called with its own arguments and no others
    (the theme's 5 macro calls per article page, 8 per list page), its function is called right here,
    which is what Macro.__call__ and Macro._invoke do after matching the arguments to its parameters.
    """

    @internalcode
    def call(__self, __obj: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        kind = type(__obj)
        if kind is Macro:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            if kwargs or __obj.caller or __obj.explicit_caller or __obj.catch_kwargs or __obj.catch_varargs:
                return __obj(__self.eval_ctx, *args, **kwargs)
            missing_arguments = __obj._argument_count - len(args)
            if missing_arguments < 0:  # too many: Macro.__call__ says so
                return __obj(__self.eval_ctx, *args)
            if missing_arguments:  # the macro's defaults stand in for them (as Macro.__call__ does)
                args = (*args, *(missing,) * missing_arguments)
            html = __obj._func(*args)
            return str.__new__(Markup, html) if __self.eval_ctx.autoescape else html  # Markup(html) of a str
        if kind not in _PLAIN_FUNCTIONS:
            return super().call(__obj, *args, **kwargs)
        passed = getattr(__obj, "jinja_pass_arg", None)
        if passed is _PassArg.eval_context:
            args = (__self.eval_ctx, *args)
        elif passed is not None:  # the context or the Environment: as Jinja does
            return super().call(__obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:  # as Jinja does
            return __self.environment.undefined("value was undefined because a callable raised a"
                                                " StopIteration exception")


class BuildEnvironment(jinja2.Environment):
    """A Jinja Environment whose templates escape their output with escape_output and call macros and plain
    functions directly, and whose globals are set before the first template is loaded (make_environment
    sets them all).

    A page's data names the articles it shows by their Placement (pages.py): what templates read of one,
    {{ article.title }} or `sort(attribute='title')`, is read from the article's view in ARTICLE_VIEWS (by URL).
    So what an article says reaches a page only through its view, whose digest the page's fingerprint holds.
    """

    code_generator_class = OutputEscapingCodeGenerator
    context_class = BuildContext
    escape_output = staticmethod(escape_output)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.article_views: dict[str, Any] = {}  # URL -> ArticleView, for the build that renders with it
        self._loaded: dict[str, jinja2.Template] = {}

    def get_template(self, name: str | jinja2.Template, parent: str | None = None,
                     globals: MutableMapping[str, Any] | None = None) -> jinja2.Template:
        """Jinja's, looked up by name only: a page gets its template and those it extends and imports, 4 to 6 of
        them, and Jinja makes a weak reference to its loader for each. Templates that never change during the
        Environment's life (no auto_reload) and are kept (a cache) are what Jinja returns anyway."""
        if globals is None and type(name) is str and not self.auto_reload and self.cache is not None:
            if parent is not None:
                name = self.join_path(name, parent)
            found = self._loaded.get(name)
            if found is None:
                found = self._loaded[name] = super().get_template(name)
            return found
        return super().get_template(name, parent, globals)

    def shown(self, value: Any) -> Any:
        """VALUE, or the view of the article it names."""
        return self.article_views[value.url] if type(value) is Placement else value

    def getattr(self, obj: Any, attribute: str) -> Any:  # Jinja's, with articles resolved to their views
        if type(obj) is Placement:
            obj = self.article_views[obj.url]
        try:
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        return super().getitem(self.shown(obj), argument)

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A template's globals as a plain dict, not Jinja's ChainMap over the Environment's.

        Jinja copies them into every page's context (and checks them on every {% import %}): through a
        ChainMap that is a Python-level lookup per global, per page. The price is that globals set after a
        template is loaded do not reach it, which Jinja's documentation already says not to rely on.
        """
        return {**self.globals, **(d or {})}
