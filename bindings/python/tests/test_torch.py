"""The PyTorch example (examples/torch_wide_deep.py): a wide & deep model
trained in PyTorch on barista's ids, written with write_model, scores in
barista what PyTorch's forward pass gives."""
import os
import sys

import pytest

torch = pytest.importorskip("torch")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))
import torch_wide_deep  # noqa: E402

import barista  # noqa: E402


@pytest.mark.parametrize("embeddings", ["f32"])
def test_barista_scores_equal_pytorch(synth, tmp_path, embeddings):
    spec, net, encoder = torch_wide_deep.train(str(synth), epochs=1, quiet=True)
    path = str(tmp_path / "torch.barista")
    barista.write_model(torch_wide_deep.to_barista_spec(spec, net.barista_weights()), path, embeddings=embeddings)
    requests = [{"user_id": "user-%d" % u, "history": ["classic espresso"], "hour": 7 + u} for u in range(8)]
    requests.append({"hour": 12})  # anonymous, no history
    worst = torch_wide_deep.parity(spec, net, encoder, path, requests)
    print("largest |p_barista - p_torch|: %.3g" % worst)
    assert worst <= 1e-5
    # It learned: the trained model does not score everything alike.
    scores = barista.Session(barista.Model(path)).score(requests[0], barista.Model(path).item_ids())
    assert scores.std() > 0.01
