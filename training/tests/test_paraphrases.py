"""KontextBench-micro's paraphrase split: the template detector recognises every bench instruction, and the
committed paraphrases.json is what make_paraphrases.py writes (in-vocabulary, no template's output).

Run from the repo root: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m unittest training.tests.test_paraphrases
"""
import json
import os
import sys
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

from training.make_paraphrases import BENCH, build_paraphrases, is_template_output, read_slots  # noqa: E402


def _read(name: str) -> dict:
    with open(os.path.join(BENCH, name), encoding="utf-8") as f:
        return json.load(f)


class ParaphraseTest(unittest.TestCase):
    def test_every_bench_instruction_is_recognised_as_a_template_output(self):
        # Without this the "no template's output" assertion could pass because the detector matches nothing.
        cases = _read("cases.json")["cases"]
        turns = [t for chain in _read("chains.json")["chains"] for t in chain["turns"]]
        for item in cases + turns:
            self.assertTrue(is_template_output(item["instruction"]), item["instruction"])
            read_slots(item["edit"], item["instruction"])  # raises when no template of the edit reads it
        self.assertTrue(is_template_output('Change the "A" to "B"'))  # the model sees lower case
        self.assertFalse(is_template_output("colour the red circle blue"))

    def test_committed_file_is_what_the_script_writes(self):
        if not os.path.exists(os.path.join(BENCH, "paraphrases.json")):
            self.skipTest("no committed paraphrases.json")
        committed = _read("paraphrases.json")
        self.assertEqual(committed, build_paraphrases())
        cases = _read("cases.json")["cases"]
        self.assertEqual([p["id"] for p in committed["paraphrases"]], [c["id"] for c in cases])
        self.assertTrue(all(p["paraphrase"] != p["instruction"] for p in committed["paraphrases"]))


if __name__ == "__main__":
    unittest.main()
