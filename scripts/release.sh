#!/usr/bin/env bash
# Releases version X.Y.Z: writes it into every place that declares the version
# (LambdaHostVersion, the tools' --version, the Rust crate), commits, and tags the commit
# X.Y.Z, the tag a plugin's Package.swift asks for with `from: "X.Y.Z"`. VersionTagTests
# checks that these never drift apart.
#
#   scripts/release.sh X.Y.Z
set -euo pipefail
version=${1:-}
if ! [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    echo "usage: scripts/release.sh X.Y.Z (three numbers, no leading v)" >&2
    exit 2
fi
cd "$(dirname "$0")/.."
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
    echo "release: commit or stash your changes first" >&2
    exit 1
fi
if git rev-parse -q --verify "refs/tags/$version" > /dev/null; then
    echo "release: tag $version exists already" >&2
    exit 1
fi
sed -i -E "s/(static let string = \")[0-9.]+(\")/\1$version\2/" Sources/LambdaRuntimeAPI/LambdaHostVersion.swift
sed -i -E "0,/^version = \"[0-9.]+\"/s//version = \"$version\"/" rust/lambda-plugin/Cargo.toml
git commit -q -am "Release $version"
git tag -a "$version" -m "lambda-host $version"
echo "tagged $version at $(git rev-parse --short HEAD); push it with: git push origin $version"
