"""The procedural editing domain and KontextBench-micro: determinism, exact targets, masks, referents, splits,
tokenizer coverage (and agreement with tokenizers.js when node_modules is present), bench reproducibility.

Run from the repo root: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m unittest training.tests.test_domain
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

from training.domain.edit import resolve_reference  # noqa: E402
from training.domain.font import SCENE_LETTERS  # noqa: E402
from training.domain.phrases import TEMPLATES  # noqa: E402
from training.domain.png import decode_png, encode_png  # noqa: E402
from training.domain.render import render_scene  # noqa: E402
from training.domain.rng import Rng  # noqa: E402
from training.domain.sampling import check_scene, make_glyphs  # noqa: E402
from training.domain.samples import (CATEGORIES, CATEGORY_OF_EDIT, EDITS_BY_CATEGORY, make_chain,  # noqa: E402
                                     make_sample)
from training.domain.splits import BENCH_SEEDS, TRAIN_SEEDS, check_seed, get_overlapping_splits  # noqa: E402
from training.domain.tokenizer import (EOS_ID, UNK_ID, build_tokenizer_config, build_tokenizer_spec,  # noqa: E402
                                       encode, get_vocabulary, split_words)
from training.make_bench import write_bench  # noqa: E402

BENCH = os.path.join(REPO, "training", "kontextbench_micro")
REFERENCE_CATEGORIES = ("style_reference", "character_reference")
PER_EDIT = 6  # samples per edit in the broad checks; ~130 samples, a couple of seconds


def _samples_per_edit(seed: int = 11, size: int = 64):
    for edit in sorted(CATEGORY_OF_EDIT):
        for i in range(PER_EDIT):
            yield make_sample(seed, i, edit=edit, size=size)


class DeterminismTest(unittest.TestCase):
    def test_sample_is_a_pure_function_of_seed_and_index(self):
        for category in CATEGORIES:
            a, b = make_sample(5, 3, category), make_sample(5, 3, category)
            self.assertEqual(a["instruction"], b["instruction"])
            for key in ("input", "target", "touched"):
                np.testing.assert_array_equal(a[key], b[key])
        self.assertNotEqual(make_sample(5, 3)["instruction"] + str(make_sample(5, 3)["input"].sum()),
                            make_sample(5, 4)["instruction"] + str(make_sample(5, 4)["input"].sum()))

    def test_rng_stream_is_fixed(self):
        # A changed stream silently changes every sample and the committed bench; pin the first draws.
        rng = Rng(7)
        self.assertEqual([rng.next_u64() % 1000 for _ in range(4)], [598, 812, 310, 877])

    def test_chain_is_deterministic(self):
        a, b = make_chain(3, 1), make_chain(3, 1)
        self.assertEqual([t["instruction"] for t in a["turns"]], [t["instruction"] for t in b["turns"]])
        np.testing.assert_array_equal(a["turns"][-1]["target"], b["turns"][-1]["target"])


class SampleValidityTest(unittest.TestCase):
    def test_every_edit_gives_valid_exact_samples(self):
        for s in _samples_per_edit():
            with self.subTest(edit=s["edit"], index=s["index"]):
                self.assertEqual(CATEGORY_OF_EDIT[s["edit"]], s["category"])
                for key in ("input", "target"):
                    self.assertEqual((s[key].shape, s[key].dtype), ((64, 64, 3), np.uint8))
                self.assertEqual((s["touched"].shape, s["touched"].dtype), ((64, 64), bool))
                if s["category"] in REFERENCE_CATEGORIES:
                    self.assertEqual((s["reference"].shape, s["reference"].dtype), ((64, 64, 3), np.uint8))
                    np.testing.assert_array_equal(s["reference"], render_scene(s["reference_scene"]))
                else:
                    self.assertIsNone(s["reference"])
                check_scene(s["input_scene"])
                check_scene(s["target_scene"])
                # Exact ground truth: the images are the renders of the scenes.
                np.testing.assert_array_equal(s["input"], render_scene(s["input_scene"]))
                np.testing.assert_array_equal(s["target"], render_scene(s["target_scene"]))
                changed = (s["input"] != s["target"]).any(axis=2)
                self.assertTrue(changed.any(), "no documented no-op edits exist")
                self.assertFalse((changed & ~s["touched"]).any(), "a changed pixel lies outside the touched mask")

    def test_local_edits_touch_only_part_of_the_image(self):
        for s in _samples_per_edit():
            if s["category"] == "local":
                self.assertLess(s["touched"].mean(), 0.5, s["instruction"])

    def test_other_sizes(self):
        for category in CATEGORIES:
            s = make_sample(12, 0, category, size=128)
            self.assertEqual(s["input"].shape, (128, 128, 3))
            self.assertEqual(s["touched"].shape, (128, 128))
            self.assertFalse(((s["input"] != s["target"]).any(axis=2) & ~s["touched"]).any())

    def test_unknown_names_are_rejected(self):
        with self.assertRaises(ValueError):
            make_sample(0, 0, category="locl")
        with self.assertRaises(ValueError):
            make_sample(0, 0, edit="recolour")

    def test_reference_shows_other_shapes_than_the_input(self):
        for i in range(PER_EDIT):
            s = make_sample(13, i, edit="apply_style")
            layout = {(x.kind, x.cell) for x in s["input_scene"].shapes}
            self.assertFalse(layout & {(x.kind, x.cell) for x in s["reference_scene"].shapes})
            self.assertEqual(s["reference_scene"].style, s["target_scene"].style)


class ReferentTest(unittest.TestCase):
    def test_every_named_shape_is_unambiguous(self):
        seen = 0
        for s in _samples_per_edit(seed=21):
            if s["referent"] is not None:
                phrase, index = s["referent"]
                self.assertIn(f"the {phrase}", s["instruction"])
                self.assertEqual(resolve_reference(s["input_scene"], phrase), [index], s["instruction"])
                seen += 1
        self.assertGreater(seen, 30)

    def test_replaced_glyph_occurs_once(self):
        for i in range(20):
            s = make_sample(22, i, edit="replace_glyph")
            old = re.findall(r'"(.)"', s["instruction"])[0]
            self.assertEqual(s["input_scene"].text.glyphs.count(old), 1, s["instruction"])

    def test_scene_text_never_puts_two_letters_together(self):
        rng = Rng("glyphs")
        for _ in range(500):
            glyphs = make_glyphs(rng)
            self.assertTrue(1 <= len(glyphs) <= 3)
            self.assertFalse(any(a in SCENE_LETTERS and b in SCENE_LETTERS for a, b in zip(glyphs, glyphs[1:])))


class ChainTest(unittest.TestCase):
    def test_turns_follow_each_other_and_respect_masks(self):
        for i in range(6):
            chain = make_chain(31, i)
            self.assertEqual(len(chain["turns"]), 5)
            previous = chain["input"]
            touched_any = np.zeros((64, 64), dtype=bool)
            for turn in chain["turns"]:
                changed = (previous != turn["target"]).any(axis=2)
                self.assertTrue(changed.any(), turn["instruction"])
                self.assertFalse((changed & ~turn["touched"]).any(), turn["instruction"])
                np.testing.assert_array_equal(turn["target"], render_scene(turn["target_scene"]))
                touched_any |= turn["touched"]
                previous = turn["target"]
            np.testing.assert_array_equal(chain["untouched"], ~touched_any)
            for turn in chain["turns"]:  # pixels no instruction touched never change
                np.testing.assert_array_equal(turn["target"][chain["untouched"]], chain["input"][chain["untouched"]])

    def test_whole_image_operations_only_end_a_chain(self):
        for i in range(20):
            edits = [t["edit"] for t in make_chain(32, i)["turns"]]
            self.assertFalse(set(edits[:-1]) & {"invert", "grayscale", "mirror", "flip_vertical"}, edits)


class SplitTest(unittest.TestCase):
    def test_seed_ranges_are_disjoint(self):
        self.assertEqual(get_overlapping_splits(), [])
        self.assertFalse(set(range(BENCH_SEEDS.start, BENCH_SEEDS.start + 10)) & set(TRAIN_SEEDS[-10:]))
        check_seed("train", 0)
        check_seed("bench", BENCH_SEEDS.start)
        with self.assertRaises(ValueError):
            check_seed("train", BENCH_SEEDS.start)
        with self.assertRaises(ValueError):
            check_seed("bench", 0)


def _fill_every_template() -> list[str]:
    """Each template once, slots filled with real phrases (capitals and glyph strings included)."""
    slots = {"ref": "red circle", "color": "blue", "object": "a small red circle", "at_pos": "in the top left corner",
             "to_pos": "to the center", "direction": "to the left", "pattern": "a blue to white gradient from top to bottom",
             "a_color": "an orange", "old": "A", "new": "7", "text": "A7B", "band": "top",
             "a_background": "a red and white striped background"}
    return [t.format(**slots) for templates in TEMPLATES.values() for t in templates]


class TokenizerTest(unittest.TestCase):
    def test_vocabulary_is_small_and_t5_shaped(self):
        vocab = get_vocabulary()
        self.assertLess(len(vocab), 300)
        self.assertEqual(vocab[:3], ["<pad>", "</s>", "<unk>"])
        self.assertEqual(len(set(vocab)), len(vocab))

    def test_no_instruction_has_unknown_words(self):
        instructions = _fill_every_template() + [s["instruction"] for s in _samples_per_edit(seed=41)]
        for i in range(10):
            instructions += [t["instruction"] for t in make_chain(42, i)["turns"]]
        for text in instructions:
            ids = encode(text)
            self.assertNotIn(UNK_ID, ids, f"{text!r} -> {split_words(text)}")
            self.assertEqual(ids[-1], EOS_ID)
        self.assertEqual(encode("Make the ZEBRA blue")[2], UNK_ID)

    def test_glyphs_become_one_token_each(self):
        self.assertEqual(split_words('replace the text with "A7B"'),
                         ["replace", "the", "text", "with", '"', "a", "7", "b", '"'])
        self.assertEqual(split_words('change the "4" to "42"')[-4:], ['"', "4", "2", '"'])

    def test_tokenizer_json_matches_tokenizers_js(self):
        package = os.path.join(REPO, "node_modules", "@huggingface", "tokenizers", "dist", "tokenizers.mjs")
        if shutil.which("node") is None or not os.path.exists(package):
            self.skipTest("node or @huggingface/tokenizers not installed")
        texts = _fill_every_template() + ["Make the RED circle Blue", "zebra 2024 !!", "remove the star's ring"]
        with tempfile.TemporaryDirectory() as tmp:
            for name, data in (("tokenizer.json", build_tokenizer_spec()),
                               ("tokenizer_config.json", build_tokenizer_config())):
                with open(os.path.join(tmp, name), "w") as f:
                    json.dump(data, f)
            script = (f"import {{ Tokenizer }} from {json.dumps('file://' + package)};\n"
                      "import fs from 'fs';\n"
                      f"const dir = {json.dumps(tmp)};\n"
                      "const read = (n) => JSON.parse(fs.readFileSync(dir + '/' + n, 'utf8'));\n"
                      "const t = new Tokenizer(read('tokenizer.json'), read('tokenizer_config.json'));\n"
                      "const texts = JSON.parse(fs.readFileSync(0, 'utf8'));\n"
                      "console.log(JSON.stringify(texts.map((s) => Array.from(t.encode(s).ids))));\n")
            with open(os.path.join(tmp, "encode.mjs"), "w") as f:
                f.write(script)
            out = subprocess.run(["node", os.path.join(tmp, "encode.mjs")], input=json.dumps(texts),
                                 capture_output=True, text=True, timeout=60, check=True).stdout
        for text, js_ids in zip(texts, json.loads(out)):
            self.assertEqual([int(i) for i in js_ids], encode(text), text)


class PngTest(unittest.TestCase):
    def test_round_trip(self):
        rng = np.random.default_rng(0)
        rgb = rng.integers(0, 256, (17, 23, 3), dtype=np.uint8)
        rgb[5:9] = rgb[4]  # rows that pick the Up filter
        rgb[:, 3:] = np.cumsum(rgb[:, 3:], axis=1, dtype=np.uint8)  # rows that pick Sub
        np.testing.assert_array_equal(decode_png(encode_png(rgb)), rgb)
        mask = rng.random((9, 13)) > 0.5
        np.testing.assert_array_equal(decode_png(encode_png(mask)) > 0, mask)
        sample = make_sample(1, 1)
        np.testing.assert_array_equal(decode_png(encode_png(sample["target"])), sample["target"])


class BenchTest(unittest.TestCase):
    def test_bench_writer_is_byte_deterministic_and_matches_the_committed_bench(self):
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            write_bench(a, per_category=2, chains=1)
            write_bench(b, per_category=2, chains=1)
            files = sorted(os.path.relpath(os.path.join(d, f), a) for d, _, fs in os.walk(a) for f in fs)
            self.assertGreater(len(files), 15)
            for rel in files:
                with open(os.path.join(a, rel), "rb") as fa, open(os.path.join(b, rel), "rb") as fb:
                    self.assertEqual(fa.read(), fb.read(), rel)
            if not os.path.exists(os.path.join(BENCH, "cases.json")):
                self.skipTest("no committed bench")
            for rel in files:  # the first cases of the full bench are the cases of the small run
                if rel.endswith(".png") or rel.startswith("tokenizer"):
                    with open(os.path.join(a, rel), "rb") as fa, open(os.path.join(BENCH, rel), "rb") as fc:
                        self.assertEqual(fa.read(), fc.read(), f"{rel} differs from the committed bench: rerun "
                                                               "training/make_bench.py")
            with open(os.path.join(a, "cases.json")) as f:
                small = {c["id"]: c for c in json.load(f)["cases"]}
        with open(os.path.join(BENCH, "cases.json")) as f:
            committed = {c["id"]: c for c in json.load(f)["cases"]}
        for case_id, case in small.items():
            self.assertEqual(committed[case_id], case)

    def test_committed_bench_shape(self):
        if not os.path.exists(os.path.join(BENCH, "cases.json")):
            self.skipTest("no committed bench")
        with open(os.path.join(BENCH, "cases.json")) as f:
            cases = json.load(f)["cases"]
        with open(os.path.join(BENCH, "chains.json")) as f:
            chains = json.load(f)["chains"]
        self.assertGreaterEqual(len(cases), 500)
        for category in CATEGORIES:
            self.assertGreaterEqual(sum(c["category"] == category for c in cases), 60, category)
        self.assertEqual(len(chains), 40)
        self.assertTrue(all(len(c["turns"]) == 5 for c in chains))
        self.assertTrue(all(c["seed"] in BENCH_SEEDS for c in cases + chains))
        for case in cases:
            for key in ("input", "target", "touched") + (("reference",) if case["reference"] else ()):
                self.assertTrue(os.path.exists(os.path.join(BENCH, case[key])), case[key])
            self.assertNotIn(UNK_ID, encode(case["instruction"]))
        edits = {c["edit"] for c in cases}
        self.assertEqual(edits, {e for edits in EDITS_BY_CATEGORY.values() for e in edits})


if __name__ == "__main__":
    unittest.main()
