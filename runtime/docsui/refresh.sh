#!/usr/bin/env bash
# Refreshes the vendored Swagger UI from the npm package swagger-ui-dist:
#   bash runtime/docsui/refresh.sh [VERSION]
# then review the diff, run the docs tests (go test ./runtime/docsui/ and the
# blog's browser test) and commit dist/ with its VERSION.
set -euo pipefail
cd "$(dirname "$0")"
version="${1:-latest}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "swagger-ui-dist@$version" >/dev/null && tar xzf swagger-ui-dist-*.tgz)
for f in swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css LICENSE NOTICE; do
  cp "$tmp/package/$f" "dist/$f"
done
# The bundle names a source map the dist does not carry here: drop the line.
sed -i '/^\/\/# sourceMappingURL=/d' dist/swagger-ui-bundle.js
sed -i 's|/\*# sourceMappingURL=swagger-ui.css.map\*/||' dist/swagger-ui.css
echo "swagger-ui-dist $(node -p "require('$tmp/package/package.json').version")" > dist/VERSION
