"""A wire-style headline from a story's lead: "Belarus releases 52 political prisoners".

Wire copy often arrives without a headline. Subeditors write one from the lead's first clause:
present tense ("has released" -> "releases", "fell" -> "falls"), "will" -> "to", no articles, no
attribution ("..., the ministry said"), no stock symbols, 6-10 words, ending where a phrase ends.
Verb forms come from a lexicon (verbs.py): a word the lexicon does not know is left as the copy has
it, so a title never holds a word that is neither in the copy nor a correct form of one.
The result is marked `title_derived: true` so an editor knows to check it.
"""

from __future__ import annotations

import re

from dateline.ingest.gazetteer import fold, gazetteer
from dateline.ingest.verbs import participle_verb, past_verb, present_tense, progressive_present
from dateline.ingest.words import sentences, strip_symbols, words

MAX_WORDS = 12  # never longer; a cut past PREFERRED_WORDS only at a clause boundary
PREFERRED_WORDS = 10
TARGET_WORDS = 8  # editors' headlines: median 7, most 5-8
MIN_WORDS = 4  # never cut before this many words: the subject and verb come first
_INTRO = re.compile(r"^(?:In|On|At|After|As|While|Although|Though|Despite|Following|With|According to|Amid|When|"
                    r"If|Because|Before|During|Since|Earlier|Later|Meanwhile|However|Separately|Also)\b[^,]{0,80},\s+")
_ECHO = re.compile(r"^[A-Z][\w.' -]{0,30}:\s+(?=[A-Z\"'“])")  # "Detroit: Range Rover ...": a dateline echoed
_SAID = (r"(?:said|says|reported|announced"
         r"|told\s+(?:the\s+)?(?:(?:[A-Z][\w.&-]*|of|and|reporters|newsmen|journalists)\s+)+)")
_LEADING_SAID = re.compile(rf"^(?P<subject>[^,]+?)\s+{_SAID}\s*(?:on \w+\s+|today\s+|yesterday\s+|in a statement\s+)?"
                           r"(?:that\s+)?(?P<rest>.+)$")
_TRAILING_SAID = re.compile(r",\s+(?:[^,]{0,80}?\s+)?(?:said|says|reported|announced|added|told [^,]+)"
                            r"(?:\s+(?:on\s+\w+|today|yesterday|in a statement|here|late\s+\w+))?\s*[.]?$"
                            r"|,\s+(?:said|says|according to)\s+[^,]{1,80}$")
_PRONOUN = re.compile(r"^(?:(?P<subject>it|he|she|they|we)|(?P<possessive>its|his|her|their|our))\s+(?P<rest>.+)$")
_PARENTHESES = re.compile(r"(?<=\S)\s*\([^()]*\)")  # not at the start: "(Marshall Steel Ltd) said" keeps its name
_STRAY_QUOTE_S = re.compile(r"(?<=\w)\"s\b")  # 'Britain"s', a typist's possessive
_QUOTES = re.compile(r"[\"“”‘]|(?<!\w)'|'(?!\w)")

# Words a headline never ends on; cutting before them leaves whole phrases.
FUNCTION_WORDS = frozenset(
    "a an the of and or but nor to in on at for with by from as into onto over under about than that which who "
    "whom whose its their his her our my your this these those is are was were be been being has have had will "
    "would shall should can could may might must do does did not no so if then when while after before since "
    "until per via against between among amid during including up down out off upon within without also said "
    "says says' it he she they we".split())
_NUMBER_WORDS = frozenset("mln million billion bln trillion".split())  # "600 mln" needs its noun: "600 mln dlrs"
_STRONG_BREAKS = frozenset("in at on from for with by after before since during amid despite following including "
                           "while when which who whose because as against over under until than through between "
                           "among via due".split())  # "due": "eurobond due 1990"
_WEAK_BREAKS = frozenset("of and or but to that".split())
_DETERMINERS = frozenset("a an the its their his her this that these those".split())
_LEGAL_FORMS = frozenset("Inc Corp Co Ltd Plc PLC Corporation Incorporated Limited LLC AG SA NV Cos".split())
_AUXILIARIES = frozenset("be been being may might could would should must can will shall get got".split())
_NUMERALS = frozenset("two three four five six seven eight nine ten several many some all both".split())
_MONTH_NAMES = frozenset("January February March April May June July August September October November December"
                         .split())
_VERB_STARTS = frozenset("has have had is are was were will would said says told plans expects".split())
_COPULA = {"was": ("is", "are"), "were": ("is", "are")}


def derive_title(lead: str) -> str:
    """A headline of at most MAX_WORDS whole words from the lead paragraph; never empty."""
    return derive_headline(lead)[0]


def derive_headline(lead: str) -> tuple[str, bool]:
    """The headline, and whether it is a plain cut of the lead that an editor should rewrite (no
    phrase boundary within reach, no words at all)."""
    first = (sentences(lead) or [lead])[0].strip()
    if len(first.split()) < MIN_WORDS:
        first = lead  # "Sens. Pete Wilson ...": a lone abbreviation is not a sentence
    words_ = headline_words(first, future_to=bool(re.search(r"\bto\b", lead, re.IGNORECASE)))
    fallback = not words_
    if fallback:
        words_ = _plain_cut(_clean(first).split()) or _plain_cut(strip_symbols(lead).split()) or ["Untitled"]
    title = " ".join(words_)
    return title[:1].upper() + title[1:], fallback


def _plain_cut(tokens: list[str]) -> list[str]:
    """The first PREFERRED_WORDS words, without articles, trailing function words or bare numbers (a cut
    mid-phrase)."""
    tokens = [t for t in tokens if t.strip(",;:")]
    tokens = [t for i, t in enumerate(tokens) if not _droppable(tokens, i)]
    words_ = [t.strip(",;:") for t in tokens[:PREFERRED_WORDS]]
    while words_ and (words_[-1].lower() in FUNCTION_WORDS or _is_bare_number(words_[-1])
                      or words_[-1].lower() in _NUMBER_WORDS):
        words_.pop()
    return words_


def headline_words(sentence: str, *, future_to: bool = True) -> list[str]:
    """The sentence rewritten in headline style and cut at a phrase boundary, as words.

    FUTURE_TO: whether "will" may become "to"; only when the copy has the word "to" itself, since
    a title holds no word that is neither in the copy nor a form of one of its words."""
    text = _drop_attribution(_drop_apposition(_clean(sentence)))
    tokens = _possessive_legal_forms([t for t in text.split() if t.strip(",;:")])
    tokens, verb = _present_tense(tokens, future_to=future_to)
    tokens, verb = _short_subject(tokens, verb)
    tokens = _attributive_subject(tokens, verb)
    return _cut(tokens, verb)


def _clean(sentence: str) -> str:
    text = strip_symbols(sentence)
    text = _ECHO.sub("", text, count=1)
    text = _PARENTHESES.sub("", text)
    text = _STRAY_QUOTE_S.sub("'s", text).replace("(", "").replace(")", "")
    text = _QUOTES.sub("", text)
    text = _INTRO.sub("", text, count=1)
    text = text.strip().rstrip(".!?;:,")
    if re.search(r"(?:^|\s)(?:\w\.)+\w$", text):
        text += "."  # "U.S." keeps its full stop
    for phrase in words().time_phrases:
        text = re.sub(rf"\s+{re.escape(phrase)}\b", "", text)
    return " ".join(text.split())


def _drop_apposition(text: str) -> str:
    """"Gitanas Nauseda, Lithuania's president, said ..." -> "Gitanas Nauseda said ..."."""
    parts = text.split(", ")
    if len(parts) < 3 or len(parts[0].split()) > 6:
        return text
    for k in range(2, min(len(parts), 4)):
        first = parts[k].split(" ", 1)[0]
        if first in _VERB_STARTS or first[:1].islower() and past_verb(first):
            return " ".join([parts[0], ", ".join(parts[k:])])
    return text


def _drop_attribution(text: str) -> str:
    """"Chrysler said it will close X" -> "Chrysler will close X"; "X fell, the ministry said" -> "X fell"."""
    trailing = _TRAILING_SAID.search(text)
    if trailing and len(text[:trailing.start()].split()) >= MIN_WORDS:
        text = text[:trailing.start()]
    said = _LEADING_SAID.match(text)
    if said and len(said.group("subject").split()) <= 8:
        subject, rest = said.group("subject"), said.group("rest")
        pronoun = _PRONOUN.match(rest)
        if pronoun and pronoun.group("subject"):  # "Chrysler said it will close" -> "Chrysler will close"
            text = f"{subject} {pronoun.group('rest')}"
        elif pronoun and pronoun.group("rest")[:1].isupper():  # "Ford said its Ford Credit unit will"
            text = pronoun.group("rest")
        elif pronoun:  # "Chrysler said its profit rose" -> "Chrysler profit rose", as headlines write it
            text = f"{subject} {pronoun.group('rest')}"
        elif len(rest.split()) >= MIN_WORDS:  # "Ford said U.S. car sales fell" -> "U.S. car sales fell"
            text = rest
    return text


def _present_tense(tokens: list[str], *, future_to: bool = True) -> tuple[list[str], int | None]:
    """The first finite verb in headline tense (has released -> releases, fell -> falls, will -> to),
    and where it now is; None when no verb was found."""
    for i in range(1, len(tokens)):
        token, lower = tokens[i], tokens[i].lower()
        nxt = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
        head, rest = tokens[:i], tokens[i + 1:]
        if lower in ("has", "have", "had") and nxt == "been" and i + 2 < len(tokens) \
                and participle_verb(tokens[i + 2]):
            return head + tokens[i + 2:], i  # "has been appointed" -> "appointed" (headline passive)
        if lower in ("has", "have", "had") and nxt and participle_verb(nxt):
            plural = lower == "have" or lower == "had" and _plural_subject(head)
            form = present_tense(nxt, plural=plural, participle=True)
            return (head + [form] + tokens[i + 2:], i) if form else (tokens, i)
        if lower in ("will", "would", "shall") and not future_to:
            return tokens, i
        if lower in ("will", "would") and nxt == "not":
            return head + ["not", "to"] + tokens[i + 2:], i
        if lower in ("will", "would", "shall"):
            return head + ["to"] + rest, i
        if lower in ("is", "are", "was", "were"):
            if nxt.endswith("ing") and lower in ("is", "are"):
                form = progressive_present(nxt, plural=lower == "are")  # "is issuing" -> "issues"
                return (head + [form] + tokens[i + 2:], i) if form else (head + rest, i)
            if nxt.endswith("ing") or participle_verb(nxt):
                return head + rest, i  # "was holding talks" -> "holding talks"; "was appointed" -> "appointed"
            if nxt == "to":
                return head + rest, i  # "is to sell" -> "to sell"
            if lower in _COPULA:
                return head + [_COPULA[lower][_plural_subject(head)]] + rest, i
            return tokens, i
        if token[:1].islower() and lower not in FUNCTION_WORDS and past_verb(lower) and _verb_slot(tokens, i):
            form = present_tense(lower, plural=_plural_subject(_subject(head)))
            return (head + [form] + rest, i) if form else (tokens, i)
    return tokens, None


def _verb_slot(tokens: list[str], i: int) -> bool:
    """Whether the past form at I is the clause's verb, not an adjective ("the proposed merger",
    "previously owned homes") or a participle opening an aside ("customs, faced with fakes, turned")."""
    before = tokens[i - 1].lower()
    if before in _DETERMINERS or before in _STRONG_BREAKS or before in _WEAK_BREAKS or before in _AUXILIARIES:
        return False  # "may be forced": a passive, not the past
    if before[:1].isdigit() or before in _NUMERALS:
        return False  # "three troubled banks": an adjective
    if before.endswith("ly") and (i >= 2 and tokens[i - 2].lower() in _STRONG_BREAKS | _WEAK_BREAKS | _DETERMINERS
                                  or i + 1 < len(tokens) and tokens[i + 1][:1].islower()
                                  and tokens[i + 1].lower() not in FUNCTION_WORDS):
        return False  # "previously owned homes", "seasonally adjusted deposit growth"
    return sum(t.endswith(",") for t in tokens[:i]) % 2 == 0  # after an aside's opening comma: inside it


def _subject(head: list[str]) -> list[str]:
    """The subject without a phrase after it: "U.S. car sales [for the March 11 to 20 period]"."""
    for j in range(1, len(head)):
        if head[j].lower() in _STRONG_BREAKS or head[j - 1].endswith(","):
            return head[:j]
    return head


def _short_subject(tokens: list[str], verb: int | None) -> tuple[list[str], int | None]:
    """Drop a phrase between the subject and its verb: "U.S. car sales for the March period drop" ->
    "U.S. car sales drop"; a subject longer than the headline would leave no room for the news.
    Returns the tokens and where the verb now is."""
    if verb is None:
        return tokens, None
    subject = _subject(tokens[:verb])
    if "of" in subject[1:]:  # "Burlington Menswear of New York City" -> "Burlington Menswear"
        at = subject.index("of", 1)
        place = " ".join(subject[at + 1:]).rstrip(",")
        if place and fold(place) in gazetteer().phrases:
            subject = subject[:at]
    if len(subject) < verb and len(subject) >= 2:
        return subject + tokens[verb:], len(subject)
    return tokens, verb


def _attributive_subject(tokens: list[str], verb: int | None) -> list[str]:
    """"New Zealand's unemployment rate falls" -> "New Zealand unemployment rate falls": a name's
    possessive in the subject becomes an attribute, as headlines write it."""
    end = verb if verb is not None else 0
    out = list(tokens)
    for i in range(min(end, len(out) - 1)):
        word = out[i]
        if word[:1].isupper() and re.search(r"\w['’]s?$", word) and out[i + 1][:1].islower():
            out[i] = word[:-2] if word[-1] == "s" else word[:-1]  # "Industries'" -> "Industries"
    return out


def _plural_subject(subject: list[str]) -> bool:
    if any(w.lower() in ("and", "&") for w in subject):
        return True
    if not subject:
        return False
    if "of" in subject[1:]:
        subject = subject[:subject.index("of", 1)]  # "board of directors" is one board
    head = subject[-1].rstrip(",")
    if not head[:1].islower() and len(subject) > 1:
        return False  # "General Motors", "Sears": a name
    lower = head.lower()
    return lower.endswith("s") and not lower.endswith(("ss", "us", "is", "'s", "’s")) and len(lower) > 3


def _possessive_legal_forms(tokens: list[str]) -> list[str]:
    """"Ford Motor Co's plant" -> "Ford Motor's plant"; "Cooper LaserSonics Inc, or" keeps its comma
    on "LaserSonics" when "Inc" is left out, so the clause still ends there."""
    out: list[str] = []
    for token in tokens:
        bare = re.sub(r"(?:['’]s)?[,;:]?$", "", token)
        suffix = token[len(bare):]
        if suffix and bare in _LEGAL_FORMS and out and out[-1][:1].isupper() and not out[-1].endswith(","):
            # "McLean Industries Inc's" -> "McLean Industries'"
            out[-1] += suffix[0] if out[-1].endswith("s") and suffix[1:2] == "s" else suffix
            if suffix[-1] in ",;:" and "'" not in suffix and "’" not in suffix:
                out.append(bare)  # left out of the title by _droppable; kept here for the word count
        else:
            out.append(token)
    return out


def _droppable(tokens: list[str], i: int) -> bool:
    """Articles, possessive determiners and legal forms a headline leaves out: "the", "a", "its", "Corp"
    after a name."""
    token = tokens[i]
    if token.lower() in ("a", "an", "the") and i + 1 < len(tokens):
        return True
    if token.lower() in ("its", "their") and i > 0 and i + 1 < len(tokens) and tokens[i + 1][:1].islower():
        return True  # "raises its dividend" -> "raises dividend"
    return token.rstrip(".,") in _LEGAL_FORMS and i > 0 and tokens[i - 1][:1].isupper() and \
        tokens[i - 1].rstrip(".") not in _LEGAL_FORMS


def _cut(tokens: list[str], verb: int | None = None) -> list[str]:
    """At most PREFERRED_WORDS words (MAX_WORDS at a clause boundary), ending where a phrase ends (never on
    a function word or a bare number), and past the verb at index VERB when there is one.

    Phrase boundaries are read on the clause as written; the words counted are those kept (articles
    and legal forms are left out of a headline)."""
    kept = [not _droppable(tokens, i) for i in range(len(tokens))]
    length = [sum(kept[:n]) for n in range(len(tokens) + 1)]
    ends = [n for n in range(1, len(tokens) + 1) if kept[n - 1] and _can_end(tokens, n)]
    if not ends:
        return []

    def result(n: int) -> list[str]:
        return _tidy([t for t, keep in zip(tokens[:n], kept, strict=False) if keep])

    def best(candidates: list[int]) -> int | None:
        for kind in ("strong", "weak", "infinitive"):
            of_kind = [n for n in candidates if _break_after(tokens, n) == kind]
            good = [n for n in of_kind if length[n] >= 6]
            if good:
                return min(good, key=lambda n: (abs(length[n] - TARGET_WORDS), -n))
            if of_kind:
                return max(of_kind)
        return None

    with_verb = [n for n in ends if verb is None or n > verb]  # "Group of Republican governors" says nothing
    if len(tokens) in ends and length[len(tokens)] <= PREFERRED_WORDS:
        return result(len(tokens))
    for pool in (with_verb, ends):
        choice = best([n for n in pool if MIN_WORDS <= length[n] <= PREFERRED_WORDS])
        for kind in ("strong", "weak"):
            if choice is None:
                choice = min((n for n in pool if length[n] <= MAX_WORDS and _break_after(tokens, n) == kind),
                             default=None)
        if choice is not None:
            return result(choice)
    short = [n for n in ends if length[n] <= PREFERRED_WORDS]
    return result(max(short)) if short else []


def _can_end(tokens: list[str], n: int) -> bool:
    last = tokens[n - 1]
    word = last.strip(",;:").lower()
    if word in FUNCTION_WORDS or word in _NUMBER_WORDS and n < len(tokens) or _is_bare_number(word):
        return False
    if n < len(tokens) and "-" in tokens[n][:1]:
        return False
    return n == len(tokens) or last.endswith((",", ";", ":")) or _break_after(tokens, n) is not None


def _break_after(tokens: list[str], n: int) -> str | None:
    """What kind of phrase boundary follows the first N words: "strong", "weak", "infinitive" or None."""
    if n >= len(tokens):
        return "strong"
    if tokens[n - 1].endswith((",", ";", ":")):
        return "strong"
    following = tokens[n].lower()
    if following == "in" and n + 1 < len(tokens) and (tokens[n + 1] in _MONTH_NAMES
                                                      or re.fullmatch(r"(?:19|20)\d\d", tokens[n + 1])):
        return "weak"  # "falls 1.1 pct in February": the month is news
    if following in _STRONG_BREAKS:
        return "strong"
    if following == "to":  # "rose to 6 pct" breaks; "plans to sell" does not
        after = tokens[n + 1] if n + 1 < len(tokens) else ""
        return "weak" if after[:1].isdigit() or after.lower() in _DETERMINERS else "infinitive"
    if following in _WEAK_BREAKS:
        return "weak"
    return None


def _is_bare_number(word: str) -> bool:
    """"12", "1,736": a count without its noun; a year ("in 1986") is not one."""
    return bool(re.fullmatch(r"[\d.,/%-]+", word)) and not re.fullmatch(r"(?:19|20)\d\d", word)


def _tidy(tokens: list[str]) -> list[str]:
    tokens = list(tokens)
    tokens[-1] = tokens[-1].rstrip(",;:")
    return [t for t in tokens if t]
