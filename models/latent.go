package models

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"gorgonia.org/tensor"
)

// An autoencoder is an encoder, the layers up to and including its latent
// layer (Spec.Latent), and a decoder, the layers after it. Encode runs the
// encoder, Decode the decoder, and Generate decodes draws of a variational
// autoencoder's prior.

// LossTerms returns the names of the extra terms of the spec's loss, in
// layer order: KLTermName for a sampling layer. Most models have none. The
// layers must be named, as they are in a model's spec.
func (s Spec) LossTerms() []string {
	var names []string
	for _, l := range s.Layers {
		if t, ok := layerTypes[l.Type]; ok && t.terms {
			names = append(names, termName(len(names) == 0, l.Name))
		}
	}
	return names
}

// resolveLatent checks the latent layer's name, or sets it to the first
// sampling layer's when it is empty.
func (s *Spec) resolveLatent() error {
	if s.Latent == "" {
		for _, l := range s.Layers {
			if l.Type == LayerSampling {
				s.Latent = l.Name
				break
			}
		}
		if s.Latent == "" {
			return nil
		}
	}
	i := s.latentIndex()
	switch {
	case i < 0:
		return fmt.Errorf("the latent layer %q is not one of the model's layers", s.Latent)
	case i == len(s.Layers)-1:
		return fmt.Errorf("the latent layer %q is the last layer: a decoder's layers must follow it", s.Latent)
	}
	return nil
}

// latentIndex returns the index of the latent layer, or -1 if there is
// none.
func (s Spec) latentIndex() int {
	if s.Latent == "" {
		return -1
	}
	return slices.IndexFunc(s.Layers, func(l LayerSpec) bool { return l.Name == s.Latent })
}

// LatentShape returns the shape of one sample's latent code, the output of
// the latent layer (Spec.Latent), or nil if the model has none.
func (m *Model) LatentShape() []int {
	i := m.spec.latentIndex()
	if i < 0 {
		return nil
	}
	return slices.Clone(m.layers[i].outShape())
}

// LatentDim returns the number of values of one sample's latent code, or 0
// if the model has no latent layer.
func (m *Model) LatentDim() int {
	if s := m.LatentShape(); s != nil {
		return tensor.Shape(s).TotalSize()
	}
	return 0
}

// HasSampling reports whether the model has a sampling layer: a
// variational autoencoder, whose prior Generate draws from.
func (m *Model) HasSampling() bool {
	return slices.ContainsFunc(m.spec.Layers, func(l LayerSpec) bool { return l.Type == LayerSampling })
}

// Encode returns the latent code of each sample of x (row-major, InputDim
// values each): the outputs of the latent layer, LatentDim values per
// sample. A variational autoencoder's code is the mean μ of its latent
// distribution: the sampling layer adds no noise at inference.
func (m *Model) Encode(x []float32) ([]float32, error) {
	k := m.spec.latentIndex()
	if k < 0 {
		return nil, fmt.Errorf("models: %s: no latent layer to encode to (Spec.Latent names it; a sampling layer is one)", m.spec.Name)
	}
	return m.runPart(0, k+1, x, "encoding")
}

// Decode returns the outputs, after the output activation (what Predict
// returns), of the layers after the latent layer on the latent codes z
// (row-major, LatentDim values each): for an autoencoder, the images or
// rows the codes stand for.
func (m *Model) Decode(z []float32) ([]float32, error) {
	k := m.spec.latentIndex()
	if k < 0 {
		return nil, fmt.Errorf("models: %s: no latent layer to decode from (Spec.Latent names it; a sampling layer is one)", m.spec.Name)
	}
	logits, err := m.runPart(k+1, len(m.layers), z, "decoding")
	if err != nil {
		return nil, err
	}
	return OutputsOf(m.spec, logits), nil
}

// Generate decodes n draws of the standard normal prior over a
// variational autoencoder's latent values, seeded by seed: n new samples,
// Units values each, the same for the same seed.
func (m *Model) Generate(n int, seed uint64) ([]float32, error) {
	if !m.HasSampling() {
		return nil, fmt.Errorf("models: %s: only a variational autoencoder (a model with a sampling layer) has a prior to generate from", m.spec.Name)
	}
	if n < 1 {
		return nil, fmt.Errorf("models: %s: generating %d samples; want at least 1", m.spec.Name, n)
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	z := make([]float32, n*m.LatentDim())
	for i := range z {
		z[i] = float32(rng.NormFloat64())
	}
	return m.Decode(z)
}

// partKey names an inference graph of layers [from, to) for a batch size.
type partKey struct{ from, to, size int }

// runPart runs the layers [from, to) on x (row-major, the values of the
// input of layer from per sample), in batches, through cached inference
// graphs, and returns the last layer's values (before the output
// activation if it is the output layer).
func (m *Model) runPart(from, to int, x []float32, what string) ([]float32, error) {
	inShape := m.spec.Input
	if from > 0 {
		inShape = m.layers[from-1].outShape()
	}
	dim := tensor.Shape(inShape).TotalSize()
	units := tensor.Shape(m.layers[to-1].outShape()).TotalSize()
	if len(x) == 0 || len(x)%dim != 0 {
		return nil, fmt.Errorf("models: %s: %s %d values is not a whole number of samples of %d values (shape %v)",
			m.spec.Name, what, len(x), dim, inShape)
	}
	n := len(x) / dim
	out := make([]float32, n*units)
	m.partsMu.Lock()
	defer m.partsMu.Unlock()
	full := m.inferBatch()
	for start := 0; start < n; start += full {
		size := min(full, n-start)
		net, err := m.partGraph(partKey{from, to, size}, full)
		if err != nil {
			return nil, err
		}
		if err := net.run(x[start*dim:(start+size)*dim], out[start*units:(start+size)*units]); err != nil {
			return nil, fmt.Errorf("models: %s: %s samples %d to %d: %w", m.spec.Name, what, start, start+size-1, err)
		}
	}
	return out, nil
}

// maxPartGraphs bounds the encoder and decoder graphs a model keeps.
const maxPartGraphs = 8

// partGraph returns the cached inference graph of a part of the model,
// building it on first use and keeping only the full batch size's graphs
// when there are too many. Callers hold m.partsMu.
func (m *Model) partGraph(k partKey, full int) (*inferNet, error) {
	if n, ok := m.parts[k]; ok {
		return n, nil
	}
	if len(m.parts) >= maxPartGraphs {
		for key := range m.parts {
			if key.size != full {
				delete(m.parts, key)
			}
		}
	}
	n, err := m.newPartNet(k.from, k.to, k.size)
	if err != nil {
		return nil, err
	}
	if m.parts == nil {
		m.parts = map[partKey]*inferNet{}
	}
	m.parts[k] = n
	return n, nil
}
