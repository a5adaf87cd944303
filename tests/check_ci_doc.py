#!/usr/bin/env python3
"""Runs the CI jobs of docs/ci.md exactly as the document shows them.

The GitHub Actions step named "Capacity gate" and the GitLab job's script
are taken verbatim from the document and run in a scratch repository: an
"origin" with a main branch holding specs/youtube.yaml, and a clone on a
pull-request branch that changes it.  A change that raises the cost past
the document's --max-increase-pct must fail the job and leave a markdown
summary that says so; a small change must pass.  The step "Validate the
spec" must fail on a branch whose spec is invalid and print GitHub
annotations (workflow commands) at the errors' lines.

Usage: check_ci_doc.py CAPPLAN SOURCE_DIR
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

capplan, source = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
doc = open(os.path.join(source, "docs", "ci.md"), encoding="utf-8").read()
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what)


def yaml_blocks(text):
    return re.findall(r"```yaml\n(.*?)```", text, re.S)


def github_gate(text):
    """The 'run: |' script of the step named 'Capacity gate'."""
    for block in yaml_blocks(text):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            if line.strip() == "- name: Capacity gate":
                run = lines[i + 1]
                assert run.strip() == "run: |", run
                indent = len(run) - len(run.lstrip()) + 2
                body = []
                for l in lines[i + 2:]:
                    if l.strip() and len(l) - len(l.lstrip()) < indent:
                        break
                    body.append(l[indent:])
                return "\n".join(body) + "\n"
    raise SystemExit("docs/ci.md: no 'Capacity gate' step found")


def github_step(text, name):
    """The 'run: |' script of the GitHub step called NAME."""
    for block in yaml_blocks(text):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            if line.strip() == "- name: " + name:
                run = lines[i + 1]
                assert run.strip() == "run: |", run
                indent = len(run) - len(run.lstrip()) + 2
                body = []
                for l in lines[i + 2:]:
                    if l.strip() and len(l) - len(l.lstrip()) < indent:
                        break
                    body.append(l[indent:])
                return "\n".join(body) + "\n"
    raise SystemExit("docs/ci.md: no '%s' step found" % name)


def gitlab_script(text):
    """The 'script:' list of the GitLab job, one command per item."""
    for block in yaml_blocks(text):
        if "CI_MERGE_REQUEST_TARGET_BRANCH_NAME" not in block:
            continue
        lines = block.splitlines()
        i = next(k for k, l in enumerate(lines) if l.strip() == "script:")
        items = []
        for l in lines[i + 1:]:
            if not l.strip().startswith("- "):
                break
            items.append(l.strip()[2:])
        return items
    raise SystemExit("docs/ci.md: no GitLab job found")


def git(cwd, *args):
    subprocess.run(["git", "-c", "user.name=ci", "-c", "user.email=ci@x",
                    "-c", "init.defaultBranch=main"] + list(args), cwd=cwd,
                   check=True, capture_output=True)


def scratch_repo(tmp, head_spec):
    """origin (bare) with main and the branch 'pr'; a clone on 'pr'."""
    work = os.path.join(tmp, "work")
    os.makedirs(os.path.join(work, "specs"))
    shutil.copy(os.path.join(source, "specs", "youtube.yaml"),
                os.path.join(work, "specs", "youtube.yaml"))
    git(work, "init", "-q")
    git(work, "add", ".")
    git(work, "commit", "-qm", "base")
    git(work, "checkout", "-qb", "pr")
    shutil.copy(head_spec, os.path.join(work, "specs", "youtube.yaml"))
    git(work, "commit", "-qam", "change")
    origin = os.path.join(tmp, "origin.git")
    git(tmp, "clone", "-q", "--bare", work, origin)
    clone = os.path.join(tmp, "clone")
    git(tmp, "clone", "-q", "--branch", "pr", origin, clone)
    return clone


def env_for(tmp, extra):
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(capplan) + os.pathsep + env["PATH"]
    env["SPEC"] = "specs/youtube.yaml"
    env.update(extra)
    return env


def run_github(clone, tmp):
    summary = os.path.join(tmp, "step-summary.md")
    open(summary, "w").close()
    # GitHub runs 'run:' scripts with bash -e.
    p = subprocess.run(["bash", "-e", "-c", github_gate(doc)], cwd=clone,
                       env=env_for(tmp, {"GITHUB_BASE_REF": "main",
                                         "GITHUB_STEP_SUMMARY": summary}),
                       capture_output=True, text=True, timeout=120)
    return p.returncode, open(summary, encoding="utf-8").read(), p.stderr


def run_gitlab(clone, tmp):
    # GitLab runs each item in one shell and stops at the first failure.
    env = env_for(tmp, {"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main"})
    for cmd in gitlab_script(doc):
        p = subprocess.run(["bash", "-c", cmd], cwd=clone, env=env,
                           capture_output=True, text=True, timeout=120)
        if p.returncode:
            return p.returncode
    return 0


def run_validate(clone, tmp):
    """The validation step as GitHub runs it: its exit code and output."""
    p = subprocess.run(["bash", "-e", "-c",
                        github_step(doc, "Validate the spec")], cwd=clone,
                       env=env_for(tmp, {}), capture_output=True, text=True,
                       timeout=120)
    return p.returncode, p.stdout


head = os.path.join(source, "tests", "inputs", "youtube-head.yaml")
small = os.path.join(source, "tests", "inputs", "youtube-small-change.yaml")

with tempfile.TemporaryDirectory() as tmp:
    clone = scratch_repo(tmp, head)
    code, summary, err = run_github(clone, tmp)
    check(code == 1, "GitHub: a +25%% change fails the job (got %d: %s)"
          % (code, err))
    check(summary.startswith("### \u274c capplan diff: cost +$903,000/year "
                             "(+25%), over the limit"),
          "GitHub: the summary's first line says the cost and the failure")
    check("**cost increase in percent**" in summary,
          "GitHub: the failed gate is in bold")
    check(os.path.exists(os.path.join(clone, "base.json")),
          "GitHub: the baseline report was written")
    check(run_gitlab(clone, tmp) == 1, "GitLab: a +25% change fails the job")
    md = open(os.path.join(clone, "capacity.md"), encoding="utf-8").read()
    check("over the limit" in md, "GitLab: capacity.md explains the failure")

with tempfile.TemporaryDirectory() as tmp:
    clone = scratch_repo(tmp, small)
    code, summary, err = run_github(clone, tmp)
    check(code == 0, "GitHub: a small change passes (got %d: %s)"
          % (code, err))
    check(summary.startswith("### \u2705 capplan diff"),
          "GitHub: a passing summary starts with a check mark")
    check(run_gitlab(clone, tmp) == 0, "GitLab: a small change passes")

# A broken spec on the branch: the validation step fails, and its output
# holds the annotations GitHub reads, one per error, at the error's place.
with tempfile.TemporaryDirectory() as tmp:
    broken = os.path.join(source, "tests", "errors", "graph-after-unknown.yaml")
    clone = scratch_repo(tmp, broken)
    code, out = run_validate(clone, tmp)
    check(code == 2, "GitHub: an invalid spec fails the validation step "
          "(got %d)" % code)
    check(out.startswith("::error file=specs/youtube.yaml,line=10,col=12::"
                         "stage 'db' is after unknown stage 'cache'"),
          "GitHub: the step's output is an annotation at the error's line: "
          "%r" % out[:200])
    check(all(l.startswith(("::error ", "::warning "))
              for l in out.splitlines()),
          "GitHub: every line of the step's output is a workflow command")

with tempfile.TemporaryDirectory() as tmp:
    clone = scratch_repo(tmp, small)
    code, out = run_validate(clone, tmp)
    # The seed's plan runs its stages at 100%: warnings, as annotations
    # that do not fail the step.
    lines = out.splitlines()
    check(code == 0 and lines[-1:] == ["specs/youtube.yaml: valid (3 stages)"]
          and all(l.startswith("::warning ") for l in lines[:-1]),
          "GitHub: a valid spec passes the validation step, warnings "
          "annotated (got %d, %r)" % (code, out))

# The sample summary in the document is real output: every line of it
# (but the "..." that elides some) is in the golden file it names.
sample = re.search(r"```markdown\n(.*?)```", doc, re.S).group(1)
golden = open(os.path.join(source, "tests", "cases",
                           "diff-gate-fail-markdown.stdout"),
              encoding="utf-8").read().splitlines()
for line in sample.splitlines():
    if line != "...":
        check(line in golden, "docs/ci.md sample line is real output: %r"
              % line)

print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
