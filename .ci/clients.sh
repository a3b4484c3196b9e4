#!/usr/bin/env bash
# Judge the OpenAPI contract the way generated clients see it.
#
#   bash .ci/clients.sh [path-to-openapi.json]      (from the repository root;
#                                                    default openapi/openapi.json)
#
# Checks, each reported in the summary; the exit code is non-zero when any fails:
#   1. openapi-typescript  generates schema.d.ts without printing any warning;
#   2. schema.d.ts scan    no component typed `Record<string, never>` or `unknown`;
#   3. tsc                 .ci/clients/patch-association.ts (typed PATCH merge-patch body,
#                          typed 200 / list / problem bodies, plain fetch) compiles with
#                          --strict --noUncheckedIndexedAccess --exactOptionalPropertyTypes,
#                          and uses no `as` cast, `any`, `!` or @ts-ignore/@ts-nocheck;
#   4. openapi-python-client generates a client without reporting anything;
#   5. python import       every module of the generated package imports;
#   6. python usage        the generated client builds a typed merge patch, parses the
#                          contract's own AssociationView example as the PATCH 200 and as a
#                          list item (the same model), and reads a problem's errors[0].pointer.
#
# Tools are installed once, at pinned versions, under /var/cache/empower and reused while the
# versions match. Scratch files live in a temp dir, removed on exit (set
# CLIENTS_KEEP_WORK=1 to keep it for inspection).
set -euo pipefail

REPO_ROOT="$(pwd)"
SPEC="${1:-openapi/openapi.json}"
CACHE_DIR=/var/cache/empower
OPENAPI_TS_VERSION=7.13.0
TYPESCRIPT_VERSION=5.9.3
NODE_DIR="$CACHE_DIR/clients-node"
OPC_VERSION=0.29.1
VENV_DIR="$CACHE_DIR/clients-venv"
TS_SOURCE_DIR="$REPO_ROOT/.ci/clients"

if [[ ! -f "$SPEC" ]]; then
  echo "contract not found: $SPEC (run from the repository root)" >&2
  exit 2
fi
SPEC_ABS="$(cd "$(dirname "$SPEC")" && pwd)/$(basename "$SPEC")"
for f in patch-association.ts tsconfig.json; do
  if [[ ! -f "$TS_SOURCE_DIR/$f" ]]; then
    echo "missing $TS_SOURCE_DIR/$f" >&2
    exit 2
  fi
done

WORK_DIR="$(mktemp -d /tmp/empower-clients.XXXXXX)"
cleanup() {
  if [[ "${CLIENTS_KEEP_WORK:-0}" == 1 ]]; then
    echo "scratch files kept in $WORK_DIR"
  else
    rm -rf "$WORK_DIR"
  fi
}
trap cleanup EXIT

# No colours, no wrapping, no update notices, no telemetry: output is parsed below.
export NO_COLOR=1 FORCE_COLOR=0 TERM=dumb COLUMNS=200
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

RESULTS=()
record() { # name PASS|FAIL detail
  RESULTS+=("$2  $1${3:+ — $3}")
}
section() {
  echo
  echo "==================== clients: $1 ===================="
}
strip_ansi() { sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g'; }

# ---------------------------------------------------------------------------------------
section "install (pinned)"
installed_version() { # package
  node -p "require('$NODE_DIR/node_modules/$1/package.json').version" 2>/dev/null || true
}
ot_installed="$(installed_version openapi-typescript)"
ts_installed="$(installed_version typescript)"
if [[ "$ot_installed" != "$OPENAPI_TS_VERSION" || "$ts_installed" != "$TYPESCRIPT_VERSION" ]]; then
  echo "installing openapi-typescript@$OPENAPI_TS_VERSION typescript@$TYPESCRIPT_VERSION into $NODE_DIR" \
    "(found: '${ot_installed:-none}' / '${ts_installed:-none}')"
  rm -rf "$NODE_DIR"
  mkdir -p "$NODE_DIR"
  npm install --prefix "$NODE_DIR" --save-exact --no-fund --no-audit --no-update-notifier \
    --loglevel=error "openapi-typescript@$OPENAPI_TS_VERSION" "typescript@$TYPESCRIPT_VERSION"
fi
OPENAPI_TS="$NODE_DIR/node_modules/.bin/openapi-typescript"
TSC="$NODE_DIR/node_modules/.bin/tsc"
echo "openapi-typescript $(installed_version openapi-typescript); $("$TSC" --version)"

opc_installed="$("$VENV_DIR/bin/python" -c \
  'import importlib.metadata as m; print(m.version("openapi-python-client"))' 2>/dev/null || true)"
if [[ "$opc_installed" != "$OPC_VERSION" ]]; then
  echo "installing openapi-python-client==$OPC_VERSION into $VENV_DIR (found: '${opc_installed:-none}')"
  rm -rf "$VENV_DIR"
  python3 -m venv "$VENV_DIR"
  "$VENV_DIR/bin/pip" install --quiet --disable-pip-version-check "openapi-python-client==$OPC_VERSION"
fi
echo "openapi-python-client $("$VENV_DIR/bin/python" -c \
  'import importlib.metadata as m; print(m.version("openapi-python-client"))')"
echo "contract: $SPEC_ABS"

# ---------------------------------------------------------------------------------------
section "1. openapi-typescript → schema.d.ts"
TS_DIR="$WORK_DIR/ts"
mkdir -p "$TS_DIR"
# Run from the scratch dir: openapi-typescript lints with a redocly.yaml found in its cwd, and
# the repository's (recommended-strict, for `redocly lint`) is not what a client user runs.
ot_rc=0
(cd "$TS_DIR" && "$OPENAPI_TS" "$SPEC_ABS" --output schema.d.ts) >"$WORK_DIR/openapi-typescript.log" 2>&1 || ot_rc=$?
strip_ansi <"$WORK_DIR/openapi-typescript.log" | tee "$WORK_DIR/openapi-typescript.txt"
# A clean run prints exactly its banner and the "input → output" line; anything else is a
# warning (⚠), an error (✘) or a runtime notice, and fails the check.
ot_extra="$(grep -v -e '^✨ openapi-typescript ' -e '^🚀 ' -e '^[[:space:]]*$' "$WORK_DIR/openapi-typescript.txt" || true)"
if [[ $ot_rc -ne 0 || ! -s "$TS_DIR/schema.d.ts" ]]; then
  record "openapi-typescript" FAIL "exit code $ot_rc, no schema.d.ts"
elif [[ -n "$ot_extra" ]]; then
  record "openapi-typescript" FAIL "$(printf '%s\n' "$ot_extra" | wc -l) warning line(s)"
else
  record "openapi-typescript" PASS "$(wc -l <"$TS_DIR/schema.d.ts") lines of types"
fi

# ---------------------------------------------------------------------------------------
section "2. schema.d.ts scan"
if [[ -s "$TS_DIR/schema.d.ts" ]]; then
  # Component schemas typed Record<string, never> (an object schema with no properties: no
  # value but {} is assignable) or unknown (a schema with no type: every read needs a cast).
  # Header index signatures (`[name: string]: unknown`) are openapi-typescript's default and
  # are not reported here.
  scan="$(awk '
    /^export interface components \{/ { inc = 1 }
    /^export type \$defs/ { inc = 0 }
    inc && /^        [A-Za-z0-9_]+: Record<string, never>;/ { sub(/^ +/, ""); print "component typed Record<string, never>: " $0 }
    /^ *\[name: string\]: unknown;/ { next }
    /: unknown;|: unknown\[\]|\| unknown[;| ]|unknown \|/ { line = $0; sub(/^ +/, "", line); print "typed unknown (line " NR "): " line }
  ' "$TS_DIR/schema.d.ts")"
  if [[ -n "$scan" ]]; then
    printf '%s\n' "$scan"
    record "schema.d.ts scan" FAIL "$(printf '%s\n' "$scan" | wc -l) finding(s)"
  else
    echo "no component typed Record<string, never> or unknown"
    record "schema.d.ts scan" PASS
  fi
else
  record "schema.d.ts scan" FAIL "no schema.d.ts"
fi

# ---------------------------------------------------------------------------------------
section "3. tsc --strict on .ci/clients/patch-association.ts"
cp "$TS_SOURCE_DIR/patch-association.ts" "$TS_SOURCE_DIR/tsconfig.json" "$TS_DIR/"
# The program must use the generated types honestly: no casts, no `any`, no non-null `!`,
# no suppression comments (the `@ts-expect-error` negative checks are allowed).
guard_rc=0
(cd "$TS_DIR" && NODE_PATH="$NODE_DIR/node_modules" node - patch-association.ts <<'NODE') || guard_rc=$?
const ts = require("typescript");
const fs = require("fs");
const file = process.argv[2];
const text = fs.readFileSync(file, "utf8");
const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
const bad = [];
const where = (pos) => {
  const { line, character } = sf.getLineAndCharacterOfPosition(pos);
  return `${file}(${line + 1},${character + 1})`;
};
const visit = (node) => {
  if (ts.isAsExpression(node) && !(ts.isTypeReferenceNode(node.type) && node.type.getText(sf) === "const")) {
    bad.push(`${where(node.getStart(sf))}: \`as\` cast: ${node.getText(sf)}`);
  }
  if (ts.isTypeAssertionExpression(node)) bad.push(`${where(node.getStart(sf))}: <T> cast`);
  if (ts.isNonNullExpression(node)) bad.push(`${where(node.getStart(sf))}: non-null assertion \`!\``);
  if (node.kind === ts.SyntaxKind.AnyKeyword) bad.push(`${where(node.getStart(sf))}: \`any\``);
  ts.forEachChild(node, visit);
};
visit(sf);
// A directive is a comment that starts with it (`// @ts-ignore`, `/* @ts-nocheck */`).
for (const m of text.matchAll(/(?:\/\/\/?|\/\*+|^[ \t]*\*)[ \t]*@ts-(ignore|nocheck)\b/gm)) {
  bad.push(`${where(m.index)}: @ts-${m[1]}`);
}
if (bad.length) {
  console.log(bad.join("\n"));
  process.exit(1);
}
console.log("no casts, any, non-null assertions or suppressions");
NODE
tsc_rc=0
(cd "$TS_DIR" && "$TSC" -p tsconfig.json --strict --noEmit --noUncheckedIndexedAccess \
  --exactOptionalPropertyTypes --pretty false) >"$WORK_DIR/tsc.log" 2>&1 || tsc_rc=$?
cat "$WORK_DIR/tsc.log"
if [[ $guard_rc -ne 0 || $tsc_rc -ne 0 ]]; then
  detail="$(grep -c 'error TS' "$WORK_DIR/tsc.log" || true) type error(s)"
  [[ $guard_rc -eq 0 ]] || detail="$detail; the program uses casts/any/suppressions"
  record "tsc patch-association.ts" FAIL "$detail"
else
  echo "compiled cleanly"
  record "tsc patch-association.ts" PASS
fi

# ---------------------------------------------------------------------------------------
section "4. openapi-python-client generate"
PY_DIR="$WORK_DIR/py"
mkdir -p "$PY_DIR"
# PATH: the generator runs its post hooks (ruff) from the venv.
opc_rc=0
(cd "$PY_DIR" && PATH="$VENV_DIR/bin:$PATH" "$VENV_DIR/bin/openapi-python-client" generate \
  --path "$SPEC_ABS" --meta none --output-path "$PY_DIR/client" --fail-on-warning) \
  >"$WORK_DIR/openapi-python-client.log" 2>&1 || opc_rc=$?
strip_ansi <"$WORK_DIR/openapi-python-client.log" | tee "$WORK_DIR/openapi-python-client.txt"
# A clean run prints only "Generating <path>"; anything else ("Warning(s) encountered while
# generating", "Error(s) ...", a skipped endpoint or schema, a failed post hook) fails.
opc_extra="$(grep -v -e '^Generating ' -e '^[[:space:]]*$' "$WORK_DIR/openapi-python-client.txt" || true)"
if [[ $opc_rc -ne 0 || -n "$opc_extra" ]]; then
  problems="$(grep -c -E '^(WARNING|ERROR) ' "$WORK_DIR/openapi-python-client.txt" || true)"
  record "openapi-python-client" FAIL "exit code $opc_rc, ${problems} problem(s) reported"
else
  record "openapi-python-client" PASS
fi

# ---------------------------------------------------------------------------------------
section "5. python: import the generated package"
# --meta none writes the package itself to client/; its name is that of the directory.
PKG_PARENT="$PY_DIR/pkg"
PKG_NAME="generated_client"
import_rc=1
if [[ -f "$PY_DIR/client/__init__.py" ]]; then
  mkdir -p "$PKG_PARENT"
  mv "$PY_DIR/client" "$PKG_PARENT/$PKG_NAME"
  import_rc=0
  (cd "$PKG_PARENT" && "$VENV_DIR/bin/python" -c "import $PKG_NAME" &&
    "$VENV_DIR/bin/python" - "$PKG_NAME" <<'PY') || import_rc=$?
import importlib, pkgutil, sys
pkg = importlib.import_module(sys.argv[1])
count = 0
for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
    importlib.import_module(info.name)
    count += 1
print(f"imported {pkg.__name__} and its {count} modules")
PY
fi
if [[ $import_rc -eq 0 ]]; then
  record "python import" PASS
else
  record "python import" FAIL "the generated package does not import"
fi

# ---------------------------------------------------------------------------------------
section "6. python: use the generated client"
usage_rc=1
if [[ $import_rc -eq 0 ]]; then
  usage_rc=0
  (cd "$PKG_PARENT" && "$VENV_DIR/bin/python" - "$PKG_NAME" "$SPEC_ABS" <<'PY') || usage_rc=$?
"""Drive the generated client offline, as application code would (no server needed)."""
import importlib, json, sys, typing
import attrs, httpx

pkg_name, spec_path = sys.argv[1], sys.argv[2]
spec = json.load(open(spec_path))
client_mod = importlib.import_module(f"{pkg_name}.client")
client = client_mod.Client(base_url="http://127.0.0.1", raise_on_unexpected_status=False)
failures = []

def check(ok, message):
    print(("ok    " if ok else "FAIL  ") + message)
    if not ok:
        failures.append(message)

def op(tag, operation_id):
    return importlib.import_module(f"{pkg_name}.api.{tag}.{operation_id}")

def parse(module, status, body):
    return module._parse_response(client=client, response=httpx.Response(status, json=body))

update = op("associations", "update_association")
listing = op("associations", "list_associations")

# The merge patch: a model with the writable fields, serialised as sent.
patch_cls = typing.get_type_hints(update._get_kwargs)["body"]
fields = attrs.fields_dict(patch_cls)
check({"member_count", "contact"} <= set(fields),
      f"{patch_cls.__name__} has typed fields member_count and contact (has: {sorted(k for k in fields if k != 'additional_properties') or 'none'})")
sent = {"member_count": 52, "contact": {"phone": "+32 2 123 45 67"}}
try:
    patch = patch_cls.from_dict(sent)
    kwargs = update._get_kwargs(id="0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e", body=patch)
    check(kwargs["json"] == sent and kwargs["headers"]["Content-Type"] == "application/merge-patch+json",
          f"the patch is sent unchanged as application/merge-patch+json (sent {kwargs['json']})")
    check(getattr(patch, "member_count", None) == 52, "patch.member_count reads back 52")
except Exception as e:  # noqa: BLE001
    check(False, f"building the patch raised {type(e).__name__}: {e}")

# The PATCH 200 and a list page, from the contract's own AssociationView example.
example = spec["components"]["schemas"]["AssociationView"].get("example")
if example is None:
    check(False, "components.schemas.AssociationView has an example to parse")
else:
    try:
        view = parse(update, 200, example)
        check(type(view).__name__ == "AssociationView",
              f"the PATCH 200 parses as AssociationView (got {type(view).__name__})")
        check(view.name == example["name"] and view.version == example["version"]
              and view.countries_of_origin[0] == example["countries_of_origin"][0],
              "view.name, view.version, view.countries_of_origin[0] read back")
        page = parse(listing, 200, {"items": [example], "next_cursor": "abc"})
        item = page.items[0]
        check(type(item) is type(view),
              f"a list item is the same model as the PATCH 200 (list item: {type(item).__name__}, 200: {type(view).__name__})")
        check(str(item.id) == example["id"] and page.next_cursor == "abc",
              "page.items[0].id and page.next_cursor read back")
    except Exception as e:  # noqa: BLE001
        check(False, f"parsing raised {type(e).__name__}: {e}")

# A problem body with a field error.
try:
    problem = parse(update, 422, {"type": "https://empower.example/problems/validation_failed",
        "title": "Request validation failed", "status": 422, "code": "validation_failed",
        "errors": [{"pointer": "/member_count", "detail": "must be 0 or more"}]})
    check(type(problem).__name__ == "Problem" and problem.errors[0].pointer == "/member_count",
          f"a 422 parses as Problem and errors[0].pointer reads back (got {type(problem).__name__})")
except Exception as e:  # noqa: BLE001
    check(False, f"parsing the problem raised {type(e).__name__}: {e}")

sys.exit(1 if failures else 0)
PY
fi
if [[ $import_rc -ne 0 ]]; then
  record "python usage" FAIL "skipped: the package does not import"
elif [[ $usage_rc -eq 0 ]]; then
  record "python usage" PASS
else
  record "python usage" FAIL "the generated client does not type the flow (see above)"
fi

# ---------------------------------------------------------------------------------------
section "summary"
passed=0
failed=0
for r in "${RESULTS[@]}"; do
  echo "$r"
  if [[ "$r" == PASS* ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "clients: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
