package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
)

// The scaling mode's grid: batch sizes with the benchmark's models, then
// wider MLPs (hidden widths w and w/2) and ConvNets with more filters at
// batch 128.
var (
	scalingBatches = []int{32, 128, 512}
	scalingWidths  = []int{128, 512, 2048}
	scalingFilters = [][2]int{{16, 32}, {32, 64}, {64, 128}}
)

// Each configuration of the scaling mode trains this many epochs on this
// many training images (unless -epochs-* or -train-limit say otherwise).
const (
	scalingEpochs = 3
	scalingTrain  = 12800
)

// scalingPeers are the peers of the scaling mode unless -peers says
// otherwise: PyTorch with its default threads and with one per CPU.
var scalingPeers = []string{peerTorch, peerTorchN}

func scalingFiltersText() string {
	s := make([]string, len(scalingFilters))
	for i, f := range scalingFilters {
		s[i] = fmt.Sprintf("%d/%d", f[0], f[1])
	}
	return strings.Join(s, ", ")
}

// scalingConfig is one point of the grid.
type scalingConfig struct {
	Model   string `json:"model"`
	Batch   int    `json:"batch_size"`
	Hidden  []int  `json:"hidden,omitempty"`
	Filters []int  `json:"filters,omitempty"`
}

// scalingConfigs returns the grid for models, without repeating the
// benchmark's own configuration (batch 128, 784-128-64-10, filters 32/64).
func scalingConfigs(models []string) []scalingConfig {
	var out []scalingConfig
	for _, model := range models {
		switch model {
		case modelMLP:
			for _, b := range scalingBatches {
				out = append(out, scalingConfig{Model: model, Batch: b, Hidden: []int{128, 64}})
			}
			for _, w := range scalingWidths {
				if w != 128 {
					out = append(out, scalingConfig{Model: model, Batch: 128, Hidden: []int{w, w / 2}})
				}
			}
		case modelConvNet:
			for _, b := range scalingBatches {
				out = append(out, scalingConfig{Model: model, Batch: b, Filters: []int{32, 64}})
			}
			for _, f := range scalingFilters {
				if f != [2]int{32, 64} {
					out = append(out, scalingConfig{Model: model, Batch: 128, Filters: []int{f[0], f[1]}})
				}
			}
		}
	}
	return out
}

// settingsFor returns the settings of configuration c.
func settingsFor(base settings, c scalingConfig) settings {
	s := base
	s.BatchSize = c.Batch
	if c.Hidden != nil {
		s.Hidden = c.Hidden
	}
	if c.Filters != nil {
		s.Filters = c.Filters
	}
	return s
}

// scalingRow is one configuration's results.
type scalingRow struct {
	Config scalingConfig `json:"config"`
	// TrainFLOPs is one image's training arithmetic (see trainFLOPs).
	TrainFLOPs float64  `json:"train_flops_per_image"`
	Results    []result `json:"results"`
}

// scalingReport is what a scaling run measured.
type scalingReport struct {
	Command     string       `json:"command"`
	Machine     machine      `json:"machine"`
	Settings    settings     `json:"settings"`
	Python      *pythonInfo  `json:"python,omitempty"`
	PeerProblem string       `json:"peer_problem,omitempty"`
	Peaks       []peak       `json:"gemm_peaks"`
	PeakGFLOPs  float64      `json:"peak_gflops"`
	Rows        []scalingRow `json:"rows"`
}

// runScaling runs the grid: for each configuration dlgo and the PyTorch
// peers, one child at a time, then prints the table.
func runScaling(ctx context.Context, o options, args []string, stdout, stderr io.Writer) error {
	env, err := prepare(ctx, o, stderr)
	if err != nil {
		return err
	}
	rep := &scalingReport{Command: commandLine(args), Machine: machineInfo(), Settings: o.settings}
	rep.Peaks = env.peaks(ctx, o, stderr)
	rep.PeakGFLOPs = fastestPeak(rep.Peaks)
	for _, c := range scalingConfigs(o.models) {
		if ctx.Err() != nil {
			break
		}
		oc := o
		oc.settings = settingsFor(o.settings, c)
		rs := env.runModel(ctx, c.Model, oc, stderr)
		if ctx.Err() == nil {
			rep.Rows = append(rep.Rows, scalingRow{Config: c, TrainFLOPs: trainFLOPs(c.Model, oc.settings), Results: rs})
		}
	}
	rep.Python = env.py
	if env.pyErr != nil {
		rep.PeerProblem = env.pyErr.Error()
	}
	if err := writeScalingMarkdown(stdout, rep); err != nil {
		return fmt.Errorf("writing the table: %w", err)
	}
	if o.jsonPath != "" {
		if err := writeJSON(o.jsonPath, rep); err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted; the table holds what was measured before: %w", context.Cause(ctx))
	}
	for _, row := range rep.Rows {
		for _, r := range row.Results {
			if r.Impl == implDlgo && r.Error != "" {
				return fmt.Errorf("dlgo %s, batch %d: %s", modelTitle(r.Model, settingsFor(rep.Settings, row.Config)), row.Config.Batch, r.Error)
			}
		}
	}
	return nil
}

// perMNISTEpoch is r's median epoch time scaled to the 60,000 MNIST
// training images.
func perMNISTEpoch(r result) float64 {
	return r.secondsPerEpoch() * mnistTrain / float64(r.TrainSize)
}

// writeScalingMarkdown writes the scaling table and its notes.
func writeScalingMarkdown(w io.Writer, rep *scalingReport) error {
	bw := bufio.NewWriter(w)
	p := func(format string, a ...any) { fmt.Fprintf(bw, format, a...) }
	p("### How the cost grows with the work: dlgo and PyTorch on MNIST\n\n")
	p("| model | batch | training MFLOP/image | dlgo s/epoch | dlgo FLOP/s ÷ GEMM peak | fastest PyTorch s/epoch | PyTorch FLOP/s ÷ GEMM peak | dlgo ÷ PyTorch, s/epoch |\n")
	p("|---|--:|--:|--:|--:|--:|--:|--:|\n")
	var failed []string
	for _, row := range rep.Rows {
		s := settingsFor(rep.Settings, row.Config)
		var dl, torch *result
		for i := range row.Results {
			r := &row.Results[i]
			switch {
			case !r.ok():
				failed = append(failed, fmt.Sprintf("%s, %s, batch %d: %s", r.Label, modelTitle(r.Model, s), row.Config.Batch, firstLine(r.Error)))
			case r.Impl == implDlgo:
				dl = r
			case r.Impl == peerTorch && (torch == nil || r.secondsPerEpoch() < torch.secondsPerEpoch()):
				torch = r
			}
		}
		dlTime, dlFrac, tTime, tFrac, ratio := "n/a", "n/a", "n/a", "n/a", "n/a"
		if dl != nil {
			dlTime, dlFrac = fmt.Sprintf("%.2f", perMNISTEpoch(*dl)), fractionCell(peakFraction(*dl, s, rep.PeakGFLOPs))
		}
		if torch != nil {
			tTime = fmt.Sprintf("%.2f (%s)", perMNISTEpoch(*torch), torch.Label)
			tFrac = fractionCell(peakFraction(*torch, s, rep.PeakGFLOPs))
		}
		if dl != nil && torch != nil {
			ratio = fmt.Sprintf("%.2f", dl.secondsPerEpoch()/torch.secondsPerEpoch())
		}
		p("| %s | %d | %.2f | %s | %s | %s | %s | %s |\n", modelTitle(row.Config.Model, s), row.Config.Batch,
			row.TrainFLOPs/1e6, dlTime, dlFrac, tTime, tFrac, ratio)
	}
	if len(failed) > 0 {
		p("\nNot run or failed:\n\n")
		for _, f := range failed {
			p("- %s\n", f)
		}
	}
	p("\n")
	m := rep.Machine
	p("- Machine: %s, %d CPUs, %s/%s", m.CPU, m.CPUs, m.GOOS, m.GOARCH)
	if m.LoadAverage != "" {
		p("; load average %s at the start", m.LoadAverage)
	}
	p("\n- dlgo")
	if m.Revision != "" {
		p(" %s", m.Revision)
	}
	p(": Go %s, GOMAXPROCS %d (%s)\n", strings.TrimPrefix(m.Go, "go"), m.GOMAXPROCS, m.GOMAXPROCSFrom)
	p("%s", peakLines(rep.Peaks, rep.PeakGFLOPs))
	s := rep.Settings
	train := "all"
	if s.TrainLimit > 0 {
		train = "the first " + group(float64(s.TrainLimit))
	}
	p("- Each configuration trains %s (MLP) or %s (ConvNet) on %s training images, float32, Adam (lr %g), seed %d; s/epoch is the median epoch, the first included, scaled to 60,000 images\n",
		plural(s.EpochsMLP, "epoch"), plural(s.EpochsConvNet, "epoch"), train, s.LearningRate, s.Seed)
	p("- MLPs 784-w-w/2-10 with ReLU; ConvNets Conv f1 3×3 → pool → Conv f2 3×3 → pool → dropout 0.5 → dense\n")
	p("- FLOP/s: 3 × the forward pass's multiply-adds × 2 per image (dense and convolution layers), times the images, ÷ the epoch's time\n")
	p("- Command: `%s`\n", rep.Command)
	return bw.Flush()
}
