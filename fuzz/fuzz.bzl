"""fifo_fuzz_target: a libFuzzer target that also builds without libFuzzer.

With `--config=fuzz` (.bazelrc: clang, --define=fuzzing=libfuzzer,
sanitizers) the binary links libFuzzer's main; otherwise it links
//fuzz:standalone_main, which replays the files given as arguments, so that
`bazel build //...` with gcc still compiles every target.

Conventions (scripts/fuzz_smoke.sh relies on them): the target is named
`<short>_fuzzer`, its seed corpus is tests/fuzz_corpus/<short>/, an optional
dictionary is fuzz/dicts/<short>.dict, and the tag "fuzz_target" lets the
script find every target with `bazel query`.
"""

def fifo_fuzz_target(name, srcs, deps = [], **kwargs):
    if not name.endswith("_fuzzer"):
        fail("a fuzz target's name ends with _fuzzer: " + name)
    native.cc_binary(
        name = name,
        srcs = srcs,
        deps = deps + ["//fuzz:fuzz_target"] + select({
            "//fuzz:libfuzzer": [],
            "//conditions:default": ["//fuzz:standalone_main"],
        }),
        linkopts = select({
            "//fuzz:libfuzzer": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        tags = ["fuzz_target"],
        **kwargs
    )
