package serve

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/dlgo/dlgo/models"
)

// The names of the tensors a model takes and gives, in metadata and in
// requests and responses; an ONNX file exported by dlgo uses the same.
const (
	// InputName is a model's one input, (batch, input shape...).
	InputName = "input"
	// OutputLogits is the model's output before its output activation
	// (Model.Logits), (batch, output shape...).
	OutputLogits = "logits"
	// OutputProbabilities is a classifier's or multi-label model's
	// probabilities as Model.Predict gives them: (batch, classes), two
	// columns P(0), P(1) for a single sigmoid or step unit; (batch,
	// labels) for a multi-label model.
	OutputProbabilities = "probabilities"
	// OutputPredictions is a regression model's predictions (Model.Predict),
	// (batch, output shape...).
	OutputPredictions = "predictions"
	// OutputClass is a classifier's predicted class (Model.PredictClasses),
	// by name (the model's class names, or the class index in decimal when
	// it has none), as a BYTES tensor of shape (batch).
	OutputClass = "class"
)

// tensorInfo describes a tensor in metadata: its shape is per sample, the
// batch dimension (-1) comes in front.
type tensorInfo struct {
	name     string
	datatype string
	shape    []int
}

// served is one loaded version of a served model, with what the server
// needs to answer for it. It never changes: a reload makes a new one.
type served struct {
	name    string
	model   *models.Model
	spec    models.Spec
	task    models.Task
	outputs []tensorInfo
	classes []string
	// classJSON holds the class names encoded as JSON strings.
	classJSON [][]byte
	// columns decode the rows of the rows endpoint, or are nil when the
	// model takes no named features.
	columns  []column
	metadata []byte
	source   string
	loaded   time.Time
}

func newServed(name string, m *models.Model, source string) *served {
	spec := m.Spec()
	s := &served{name: name, model: m, spec: spec, task: spec.Task(), source: source, loaded: time.Now()}
	out := m.OutputShape()
	s.outputs = append(s.outputs, tensorInfo{OutputLogits, typeFP32, out})
	switch s.task {
	case models.Classification:
		k := spec.NumClasses()
		s.outputs = append(s.outputs, tensorInfo{OutputProbabilities, typeFP32, []int{k}}, tensorInfo{OutputClass, typeBytes, nil})
		s.classes = spec.Classes
		if s.classes == nil {
			for i := range k {
				s.classes = append(s.classes, strconv.Itoa(i))
			}
		}
	case models.MultiLabel:
		s.outputs = append(s.outputs, tensorInfo{OutputProbabilities, typeFP32, out})
	default:
		s.outputs = append(s.outputs, tensorInfo{OutputPredictions, typeFP32, out})
	}
	for _, c := range s.classes {
		s.classJSON = append(s.classJSON, appendJSON(nil, c))
	}
	s.columns = columnsOf(spec)
	s.metadata = s.encodeMetadata()
	return s
}

// encodeMetadata returns the model metadata response: the protocol's
// fields, and dlgo's parameters (task, class, feature and target names).
func (s *served) encodeMetadata() []byte {
	b := []byte(`{"name":`)
	b = appendJSON(b, s.name)
	b = append(b, `,"versions":["1"],"platform":"dlgo","inputs":[`...)
	b = appendTensorInfo(b, tensorInfo{InputName, typeFP32, s.spec.Input})
	b = append(b, `],"outputs":[`...)
	for i, o := range s.outputs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendTensorInfo(b, o)
	}
	b = append(b, `],"parameters":{"task":`...)
	b = appendJSON(b, string(s.task))
	b = append(b, `,"loss":`...)
	b = appendJSON(b, string(s.spec.Loss))
	if s.task == models.Classification {
		b = append(b, `,"classes":`...)
		b = appendJSON(b, s.classes)
	}
	if s.spec.Features != nil {
		b = append(b, `,"features":`...)
		b = appendJSON(b, s.spec.Features)
	}
	if s.spec.Table != nil {
		// The columns the rows endpoint takes, before their encoding.
		names := make([]string, len(s.columns))
		for i, c := range s.columns {
			names[i] = c.name
		}
		b = append(b, `,"columns":`...)
		b = appendJSON(b, names)
	}
	if s.spec.Targets != nil {
		b = append(b, `,"targets":`...)
		b = appendJSON(b, s.spec.Targets)
	}
	b = append(b, `,"loaded":`...)
	b = appendJSON(b, s.loaded.UTC().Format(time.RFC3339))
	return append(b, "}}"...)
}

func appendTensorInfo(b []byte, t tensorInfo) []byte {
	b = append(b, `{"name":`...)
	b = appendJSON(b, t.name)
	b = append(b, `,"datatype":`...)
	b = appendJSON(b, t.datatype)
	b = append(b, `,"shape":`...)
	return append(appendInts(b, append([]int{-1}, t.shape...)), '}')
}

// output returns the metadata of the named output, and whether there is
// one.
func (s *served) output(name string) (tensorInfo, bool) {
	i := slices.IndexFunc(s.outputs, func(o tensorInfo) bool { return o.name == name })
	if i < 0 {
		return tensorInfo{}, false
	}
	return s.outputs[i], true
}

// outputNames lists the model's outputs for an error message.
func (s *served) outputNames() string {
	names := make([]string, len(s.outputs))
	for i, o := range s.outputs {
		names[i] = strconv.Quote(o.name)
	}
	return fmt.Sprint(names)
}

// result holds a request's answers, computed from its logits.
type result struct {
	n       int
	logits  []float32
	preds   []float32 // probabilities or predictions
	classes []int
}

// resultOf computes the outputs from n samples' logits, as Model.Predict
// and Model.PredictClasses would.
func (s *served) resultOf(logits []float32, n int) result {
	r := result{n: n, logits: logits}
	r.preds = models.OutputsOf(s.spec, slices.Clone(logits))
	if s.task == models.Classification {
		r.classes = models.ClassesOf(s.spec, logits)
	}
	return r
}

// appendOutput appends output o of r as the protocol's response tensor.
func (s *served) appendOutput(b []byte, o tensorInfo, r result) []byte {
	b = append(b, `{"name":`...)
	b = appendJSON(b, o.name)
	b = append(b, `,"datatype":`...)
	b = appendJSON(b, o.datatype)
	b = append(b, `,"shape":`...)
	b = appendInts(b, append([]int{r.n}, o.shape...))
	b = append(b, `,"data":`...)
	switch o.name {
	case OutputLogits:
		b = appendFloats(b, r.logits)
	case OutputClass:
		b = append(b, '[')
		for i, c := range r.classes {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, s.classJSON[c]...)
		}
		b = append(b, ']')
	default:
		b = appendFloats(b, r.preds)
	}
	return append(b, '}')
}
