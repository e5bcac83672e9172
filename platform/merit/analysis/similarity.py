"""Near-identical answers across a module's submissions, for a trainer to look at.

Every answer cell (nbgrader ``solution: true``: code answers and written answers) of
every learner's submitted notebook is normalised, then compared with the same cell of
every other learner:

* code: Python's own tokenizer; comments, blank lines and spacing dropped; every name a
  learner chooses (variables, parameters, functions) replaced by ``v1``, ``v2``, … in the
  order it first appears, so renaming does not hide a copy; keywords, built-ins,
  attributes and literals kept. Code that does not tokenize is compared word by word.
* text: case folded, punctuation dropped, whitespace collapsed, compared word by word.

Similarity is difflib's ratio of matching tokens (0–1). Answers that are too short to
tell anything (a one-line assignment everybody writes the same way), answers left as the
released stub, and answers identical to the trainer's solution are not paired: the last are
explained by the key, not by a neighbour, and are only counted. Nothing is penalised:
the result lists who, which cell, how similar, and both answers side by side.
"""

from __future__ import annotations

import builtins
import io
import keyword
import tokenize
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import combinations

import nbformat

from merit.catalog.solutions import solution_answers
from merit.errors import MeritError
from merit.grading.coursedir import BuiltCourse

KEPT_NAMES = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))
SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}


def code_tokens(source: str) -> list[str]:
    """The code's tokens with comments and layout dropped and chosen names numbered."""
    names: dict[str, str] = {}
    tokens: list[str] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in SKIPPED:
                continue
            text = token.string
            if token.type == tokenize.NAME and text not in KEPT_NAMES and not (tokens and tokens[-1] == "."):
                text = names.setdefault(text, f"v{len(names) + 1}")
            elif token.type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
                text = tokenize.tok_name[token.type]
            tokens.append(text)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return text_tokens("\n".join(line.split("#", 1)[0] for line in source.splitlines()))
    return tokens


def text_tokens(source: str) -> list[str]:
    """Words of a written answer: case folded, punctuation (and markdown marks) dropped."""
    kept = "".join(" " if unicodedata.category(ch)[0] in "PS" else ch for ch in source.casefold())
    return kept.split()


@dataclass(frozen=True)
class Answer:
    learner: str
    cell: str
    kind: str  # "kode" or "uraian"
    source: str
    tokens: tuple[str, ...]


@dataclass(frozen=True)
class Pair:
    cell: str
    kind: str
    score: float
    first: Answer
    second: Answer


@dataclass
class SimilarityReport:
    course: str
    module: str
    threshold: float
    learners: int
    pairs: list[Pair] = field(default_factory=list)  # most similar first
    as_key: dict[str, int] = field(default_factory=dict)  # cell -> answers identical to the solution

    def groups(self) -> list[tuple[str, list[Pair]]]:
        """Per cell, the pairs of each group of learners linked by near-identical answers."""
        by_cell: dict[str, list[Pair]] = defaultdict(list)
        for pair in self.pairs:
            by_cell[pair.cell].append(pair)
        return [(cell, group) for cell, pairs in sorted(by_cell.items()) for group in _components(pairs)]


def _components(pairs: list[Pair]) -> list[list[Pair]]:
    """Pairs split into groups that share no learner (union-find), most similar group first."""
    parent: dict[str, str] = {}

    def root(learner: str) -> str:
        while parent.setdefault(learner, learner) != learner:
            learner = parent[learner]
        return learner

    for pair in pairs:
        parent[root(pair.first.learner)] = root(pair.second.learner)
    groups: dict[str, list[Pair]] = defaultdict(list)
    for pair in pairs:
        groups[root(pair.first.learner)].append(pair)
    return sorted(groups.values(), key=lambda g: (-max(p.score for p in g), g[0].first.learner))


def _answer_cells(built: BuiltCourse, module: str) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Per answer cell of ``module``: its kind, the released stub, the trainer's solution."""
    spec = next((m for m in built.course.spec.modules if m.id == module), None)
    if spec is None:
        known = ", ".join(m.id for m in built.course.spec.modules)
        raise MeritError(f"Modul '{module}' tidak ada di kursus {built.course.id}: {known}.")
    kinds: dict[str, str] = {}
    stubs: dict[str, str] = {}
    solutions: dict[str, str] = {}
    for name in spec.notebooks:
        source = nbformat.read(built.course.source_dir / module / name, as_version=4)
        solutions.update(solution_answers(source))
        for cell in source.cells:
            if cell.metadata.get("nbgrader", {}).get("solution"):
                kinds[cell.metadata["nbgrader"]["grade_id"]] = "kode" if cell.cell_type == "code" else "uraian"
        release = nbformat.read(built.release_path(module, name), as_version=4)
        for cell in release.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in kinds:
                stubs[grade_id] = cell.source
    return kinds, stubs, solutions


def _pairs(cell: str, answers: list[Answer], threshold: float) -> list[Pair]:
    """Pairs at or above ``threshold``: identical token sequences are compared once, and
    difflib's cheap upper bounds skip most pairs before the full comparison."""
    same: dict[tuple[str, ...], list[Answer]] = defaultdict(list)
    for answer in answers:
        same[answer.tokens].append(answer)
    pairs = [Pair(cell, a.kind, 1.0, a, b) for group in same.values() for a, b in combinations(group, 2)]
    distinct = list(same)
    matcher = SequenceMatcher(None, autojunk=False)
    for j, right in enumerate(distinct):
        matcher.set_seq2(right)  # difflib caches its analysis of the second sequence
        for left in distinct[:j]:
            matcher.set_seq1(left)
            if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
                continue
            score = matcher.ratio()
            if score >= threshold:
                pairs += [Pair(cell, a.kind, score, a, b) for a in same[left] for b in same[right]]
    return pairs


def find_similar(
    built: BuiltCourse,
    module: str,
    threshold: float = 0.9,
    min_code_tokens: int = 20,
    min_words: int = 15,
) -> SimilarityReport:
    """Pairs of learners whose answers to one cell are at least ``threshold`` similar."""
    kinds, stubs, solutions = _answer_cells(built, module)

    def tokens(kind: str, source: str) -> tuple[str, ...]:
        return tuple(code_tokens(source) if kind == "kode" else text_tokens(source))

    stub_tokens = {cell: tokens(kinds[cell], source) for cell, source in stubs.items()}
    key_tokens = {cell: tokens(kinds[cell], source) for cell, source in solutions.items() if cell in kinds}
    answers: dict[str, list[Answer]] = defaultdict(list)
    learners = set()
    for path in sorted((built.root / "submitted").glob(f"*/{module}/*.ipynb")):
        learner = path.parent.parent.name
        learners.add(learner)
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id not in kinds:
                continue
            kind = kinds[grade_id]
            found = tokens(kind, cell.source)
            if found == stub_tokens.get(grade_id):
                continue
            answers[grade_id].append(Answer(learner, grade_id, kind, cell.source, found))
    report = SimilarityReport(built.course.id, module, threshold, len(learners))
    for cell, given in sorted(answers.items()):
        minimum = min_code_tokens if kinds[cell] == "kode" else min_words
        own = []
        for answer in given:
            if answer.tokens == key_tokens.get(cell):
                report.as_key[cell] = report.as_key.get(cell, 0) + 1
            elif len(answer.tokens) >= minimum:
                own.append(answer)
        report.pairs += _pairs(cell, own, threshold)
    report.pairs.sort(key=lambda p: (-p.score, p.cell, p.first.learner, p.second.learner))
    return report
