package models

// Activations runs the model on the samples in x (row-major, InputDim
// values each) with dropout off and returns what every layer outputs for
// them: out[i] holds the values of layer i of Spec().Layers, row-major,
// the product of its output shape per sample. The output layer's are its
// values before the output activation, as Logits returns them. It shows
// what each hidden unit computes, e.g. a neuron's output over the plane
// of a 2-D data set. It is LayerOutputs for every layer.
func (m *Model) Activations(x []float32) ([][]float32, error) {
	names := make([]string, len(m.spec.Layers))
	for i, ls := range m.spec.Layers {
		names[i] = ls.Name
	}
	return m.LayerOutputs(x, names...)
}
