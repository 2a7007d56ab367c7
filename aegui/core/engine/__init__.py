"""The autoencoder engine (torch, no Qt): network, objective, optimisers, RBMs, trainer, predictions."""
