"""kontext-micro: config, data, training and evaluation of the toy-width FLUX.1 Kontext [dev] model."""
