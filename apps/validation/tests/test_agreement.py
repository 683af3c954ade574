"""Agreement figures against hand computations and published examples."""

from __future__ import annotations

from django.test import SimpleTestCase

from apps.validation.agreement import batch_agreement, cohen_kappa, krippendorff_alpha_nominal, observed_agreement


class CohenKappaTests(SimpleTestCase):
    def test_the_wikipedia_example_gives_0_4(self):
        # 50 proposals: both yes 20, A yes/B no 5, A no/B yes 10, both no 15 → po 0.7, pe 0.5, kappa 0.4
        a = ["yes"] * 20 + ["yes"] * 5 + ["no"] * 10 + ["no"] * 15
        b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
        self.assertAlmostEqual(cohen_kappa(a, b), 0.4)

    def test_a_hand_computation_with_three_categories(self):
        a = ["anger", "anger", "joy", "joy", "neutral", "neutral"]
        b = ["anger", "joy", "joy", "joy", "neutral", "anger"]
        # po = 4/6; pe = (2*2 + 2*3 + 2*1) / 36 = 12/36 → kappa = (4/6 - 1/3) / (2/3) = 0.5
        self.assertAlmostEqual(cohen_kappa(a, b), 0.5)

    def test_perfect_and_chance_agreement(self):
        self.assertEqual(cohen_kappa([1, 0, 1, 0], [1, 0, 1, 0]), 1.0)
        self.assertAlmostEqual(cohen_kappa([1, 1, 0, 0], [1, 0, 1, 0]), 0.0)

    def test_it_is_undefined_without_variation(self):
        self.assertIsNone(cohen_kappa([True, True], [True, True]))
        self.assertIsNone(cohen_kappa([], []))

    def test_it_refuses_unequal_lengths(self):
        with self.assertRaises(ValueError):
            cohen_kappa([1], [1, 0])


class KrippendorffAlphaTests(SimpleTestCase):
    def test_krippendorffs_published_nominal_example_gives_0_743(self):
        # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 observers, 12 units, missing data
        A = [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None]
        B = [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3]
        C = [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None]
        D = [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]
        units = list(zip(A, B, C, D, strict=True))
        self.assertAlmostEqual(krippendorff_alpha_nominal(units), 0.743, places=3)

    def test_two_annotators_by_hand(self):
        # units (a, b): (1,1) (1,0) (0,0) (0,0) → coincidences o11=2, o10=o01=1, o00=4; n1=3, n0=5, n=8
        # alpha = 1 - (n-1) * (o10+o01) / (2*n1*n0) = 1 - 7*2/30 = 0.5333…
        self.assertAlmostEqual(krippendorff_alpha_nominal([(1, 1), (1, 0), (0, 0), (0, 0)]), 1 - 14 / 30)

    def test_units_with_one_value_are_ignored_and_no_variation_is_undefined(self):
        self.assertIsNone(krippendorff_alpha_nominal([(1, None), (None, 2)]))
        self.assertIsNone(krippendorff_alpha_nominal([(1, 1), (1, 1)]))

    def test_observed_agreement(self):
        self.assertEqual(observed_agreement([(1, 1), (1, 0), (0, None)]), (2, 0.5))


class BatchAgreementTests(SimpleTestCase):
    def test_per_label_and_primary_figures_with_a_skip_as_missing(self):
        labelled = {
            1: {"ann": ["anger"], "bob": ["anger", "disgust"]},
            2: {"ann": ["joy"], "bob": ["joy"]},
            3: {"ann": ["neutral"], "bob": ["anger"]},
            4: {"ann": ["sadness"], "bob": None},  # bob skipped: not pairable
        }
        report = batch_agreement(labelled)
        anger = report["labels"]["anger"]
        # anger presence on items 1..3: ann T F F, bob T F T → po 2/3, pe (1*2 + 2*1)/9 = 4/9 → kappa 0.4
        self.assertEqual(anger["n"], 3)
        self.assertAlmostEqual(anger["observed"], 2 / 3)
        self.assertEqual(len(anger["pairs"]), 1)
        self.assertAlmostEqual(anger["pairs"][0]["kappa"], (2 / 3 - 4 / 9) / (1 - 4 / 9))
        primary = report["primary"]["pairs"][0]
        # primary: ann anger joy neutral, bob anger joy anger → po 2/3, pe (1*2 + 1*1 + 1*0)/9 = 3/9 → 0.5
        self.assertAlmostEqual(primary["kappa"], 0.5)
        self.assertEqual(report["annotators"], ["ann", "bob"])
