import unittest

import _paths  # noqa: F401
from kontext_ref.sampling import get_schedule, mu_for, time_shift

# spec §5 test vector: N = 28, L = 4096 (mu = 1.15)
SPEC_28_4096 = [1.0000, 0.9884, 0.9762, 0.9634, 0.9499, 0.9356, 0.9205, 0.9045, 0.8876, 0.8696, 0.8504, 0.8300,
                0.8081, 0.7847, 0.7595, 0.7324, 0.7031, 0.6714, 0.6370, 0.5994, 0.5582, 0.5128, 0.4627, 0.4071,
                0.3448, 0.2748, 0.1955, 0.1047, 0.0000]


class ScheduleTest(unittest.TestCase):
    def test_spec_vector(self):
        ts = get_schedule(28, 4096)
        self.assertEqual(len(ts), 29)
        for got, want in zip(ts, SPEC_28_4096):
            self.assertAlmostEqual(got, want, delta=1e-4)

    def test_mu_is_linear_in_target_tokens(self):
        self.assertAlmostEqual(mu_for(256), 0.5)
        self.assertAlmostEqual(mu_for(4096), 1.15)
        self.assertAlmostEqual(mu_for(8192), 0.5 + (8192 - 256) * 0.65 / 3840)  # no clamping above 4096

    def test_endpoints_and_monotone(self):
        ts = get_schedule(7, 777)
        self.assertEqual(ts[0], 1.0)
        self.assertEqual(ts[-1], 0.0)
        self.assertTrue(all(a > b for a, b in zip(ts, ts[1:])))
        self.assertEqual(time_shift(1.0, 1.0, 0.0), 0.0)


if __name__ == "__main__":
    unittest.main()
