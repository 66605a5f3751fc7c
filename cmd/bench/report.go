package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// report is everything one run measured: what the table shows and the
// JSON holds.
type report struct {
	Command     string      `json:"command"`
	Machine     machine     `json:"machine"`
	Settings    settings    `json:"settings"`
	Models      []string    `json:"models"`
	Python      *pythonInfo `json:"python,omitempty"`
	PeerProblem string      `json:"peer_problem,omitempty"`
	Results     []result    `json:"results"`
	Ratios      []ratio     `json:"ratios"`
	// Peaks are the GEMM peaks measured in the run, and PeakGFLOPs the
	// fastest, by which the FLOP/s figures are divided.
	Peaks      []peak  `json:"gemm_peaks,omitempty"`
	PeakGFLOPs float64 `json:"peak_gflops,omitempty"`
}

// ratio compares dlgo with its peers on one model. A nil ratio could not be
// computed: dlgo or every peer for it failed or did not run.
type ratio struct {
	Model string `json:"model"`
	// Time is dlgo's s/epoch ÷ the fastest peer's (any configuration of
	// PyTorch, or scikit-learn): at most 1 is the target.
	Time     *float64 `json:"time,omitempty"`
	TimePeer string   `json:"time_peer,omitempty"`
	// Throughput is dlgo's inference img/s ÷ PyTorch's best: at least 1 is
	// the target.
	Throughput     *float64 `json:"throughput,omitempty"`
	ThroughputPeer string   `json:"throughput_peer,omitempty"`
	// Memory is dlgo's peak RSS ÷ PyTorch's lowest.
	Memory     *float64 `json:"memory,omitempty"`
	MemoryPeer string   `json:"memory_peer,omitempty"`
	// PeakFraction is dlgo's training FLOP/s ÷ the run's GEMM peak.
	PeakFraction *float64 `json:"peak_fraction,omitempty"`
	// Latency is dlgo's median single-image prediction time ÷ PyTorch's
	// lowest.
	Latency     *float64 `json:"latency,omitempty"`
	LatencyPeer string   `json:"latency_peer,omitempty"`
}

// The targets for dlgo ÷ its peers, by model.
var (
	timeTarget       = map[string]float64{modelMLP: 0.7, modelConvNet: 0.45}
	throughputTarget = 2.5
	peakTarget       = map[string]float64{modelConvNet: 0.5}
)

// peakFraction is r's training FLOP/s ÷ a GEMM peak of peakGFLOPs, with
// the model's arithmetic from the settings; NaN without figures.
func peakFraction(r result, s settings, peakGFLOPs float64) float64 {
	if !r.ok() || !(peakGFLOPs > 0) {
		return math.NaN()
	}
	return trainFLOPs(r.Model, s) * float64(r.TrainSize) / r.secondsPerEpoch() / (peakGFLOPs * 1e9)
}

// fastestPeak returns the largest GFLOP/s of the peaks that were measured,
// or 0.
func fastestPeak(peaks []peak) float64 {
	best := 0.0
	for _, p := range peaks {
		if p.Error == "" {
			best = max(best, p.GFLOPs)
		}
	}
	return best
}

// computeRatios compares, for each model, dlgo's figures with the best of
// its peers that produced figures, and dlgo's FLOP/s with the GEMM peak.
func computeRatios(results []result, models []string, s settings, peakGFLOPs float64) []ratio {
	var out []ratio
	for _, model := range models {
		q := ratio{Model: model}
		var dl *result
		var fastest, quickest, smallest, promptest *result
		for i := range results {
			r := &results[i]
			if r.Model != model || !r.ok() {
				continue
			}
			if r.Impl == implDlgo {
				dl = r
				continue
			}
			if fastest == nil || r.secondsPerEpoch() < fastest.secondsPerEpoch() {
				fastest = r
			}
			if r.Impl != peerTorch {
				continue
			}
			if quickest == nil || r.ImagesPerSecond > quickest.ImagesPerSecond {
				quickest = r
			}
			if r.MaxRSSBytes > 0 && (smallest == nil || r.MaxRSSBytes < smallest.MaxRSSBytes) {
				smallest = r
			}
			if len(r.PredictSeconds) == 2 && (promptest == nil || r.PredictSeconds[0] < promptest.PredictSeconds[0]) {
				promptest = r
			}
		}
		if dl != nil {
			if fastest != nil {
				v := dl.secondsPerEpoch() / fastest.secondsPerEpoch()
				q.Time, q.TimePeer = &v, fastest.Name
			}
			if quickest != nil {
				v := dl.ImagesPerSecond / quickest.ImagesPerSecond
				q.Throughput, q.ThroughputPeer = &v, quickest.Name
			}
			if smallest != nil && dl.MaxRSSBytes > 0 {
				v := float64(dl.MaxRSSBytes) / float64(smallest.MaxRSSBytes)
				q.Memory, q.MemoryPeer = &v, smallest.Name
			}
			if promptest != nil && len(dl.PredictSeconds) == 2 {
				v := dl.PredictSeconds[0] / promptest.PredictSeconds[0]
				q.Latency, q.LatencyPeer = &v, promptest.Name
			}
			if v := peakFraction(*dl, s, peakGFLOPs); !math.IsNaN(v) {
				q.PeakFraction = &v
			}
		}
		out = append(out, q)
	}
	return out
}

// threadsLabel says how many threads r ran with, as far as it knows.
func threadsLabel(r result) string {
	switch r.Impl {
	case implDlgo:
		return fmt.Sprintf("GOMAXPROCS %d", r.Threads)
	case peerTorch:
		s := fmt.Sprintf("torch %d", r.Info.TorchThreads)
		if b := r.blas(); b > 0 {
			s += fmt.Sprintf(", OpenBLAS %d", b)
		}
		return s
	}
	if b := r.blas(); b > 0 {
		return fmt.Sprintf("OpenBLAS %d", b)
	}
	return "default"
}

// labelOf returns the table label of the run named name.
func labelOf(results []result, model, name string) string {
	for _, r := range results {
		if r.Model == model && r.Name == name {
			return r.Label
		}
	}
	return name
}

// writeMarkdown writes the report as Markdown: the figures, the ratios,
// what did not run, the machine and the command.
func writeMarkdown(w io.Writer, rep *report) error {
	bw := bufio.NewWriter(w)
	p := func(format string, a ...any) { fmt.Fprintf(bw, format, a...) }

	p("### MNIST on the CPU: dlgo, PyTorch and scikit-learn\n\n")
	p("| model | implementation | threads | s/epoch | FLOP/s ÷ GEMM peak | inference img/s | 1-image predict p50 / p99 (µs) | peak RSS (MiB) | test accuracy |\n")
	p("|---|---|---|--:|--:|--:|--:|--:|--:|\n")
	st := rep.Settings
	var failed []result
	for _, model := range rep.Models {
		for _, r := range rep.Results {
			if r.Model != model {
				continue
			}
			if !r.ok() {
				failed = append(failed, r)
				continue
			}
			p("| %s | %s | %s | %.2f | %s | %s | %s | %.0f | %.4f |\n", modelTitle(model, st), r.Label, threadsLabel(r),
				r.secondsPerEpoch(), fractionCell(peakFraction(r, st, rep.PeakGFLOPs)), group(r.ImagesPerSecond),
				latencyCell(r), mib(r.MaxRSSBytes), r.TestAccuracy)
		}
	}

	p("\n| model | dlgo ÷ fastest peer, s/epoch | dlgo FLOP/s ÷ GEMM peak | dlgo ÷ PyTorch, img/s | dlgo ÷ PyTorch, predict p50 | dlgo ÷ PyTorch, peak RSS |\n")
	p("|---|--:|--:|--:|--:|--:|\n")
	for _, q := range rep.Ratios {
		var timeOK, peakOK func(float64) bool
		timeGoal, peakGoal := "", ""
		if t, ok := timeTarget[q.Model]; ok {
			timeOK, timeGoal = func(v float64) bool { return v <= t }, fmt.Sprintf("target ≤ %g; ", t)
		}
		if t, ok := peakTarget[q.Model]; ok {
			peakOK, peakGoal = func(v float64) bool { return v >= t }, fmt.Sprintf("target ≥ %g", t)
		}
		peakPeer := peakGoal
		if peakPeer == "" {
			peakPeer = "no target"
		}
		p("| %s | %s | %s | %s | %s | %s |\n", modelTitle(q.Model, st),
			ratioCell(q.Time, timeGoal+labelOf(rep.Results, q.Model, q.TimePeer), timeOK),
			ratioCell(q.PeakFraction, peakPeer, peakOK),
			ratioCell(q.Throughput, fmt.Sprintf("target ≥ %g; ", throughputTarget)+labelOf(rep.Results, q.Model, q.ThroughputPeer),
				func(v float64) bool { return v >= throughputTarget }),
			ratioCell(q.Latency, labelOf(rep.Results, q.Model, q.LatencyPeer), nil),
			ratioCell(q.Memory, labelOf(rep.Results, q.Model, q.MemoryPeer), nil))
	}

	if len(failed) > 0 {
		p("\nNot run or failed:\n\n")
		hint := rep.PeerProblem != ""
		for _, r := range failed {
			verb := "failed"
			if r.NotRun {
				verb, hint = "not run", true
			}
			p("- %s, %s: %s: %s\n", r.Label, modelTitle(r.Model, st), verb, firstLine(r.Error))
		}
		if hint {
			p("\nThe peers need Python 3 with numpy, torch and scikit-learn; on Debian: `%s` (or pass -python PATH).\n", installHint)
		}
	}

	p("\n")
	m := rep.Machine
	load := ""
	if m.LoadAverage != "" {
		load = fmt.Sprintf("; load average %s at the start", m.LoadAverage)
	}
	p("- Machine: %s, %d CPUs, %s/%s%s\n", m.CPU, m.CPUs, m.GOOS, m.GOARCH, load)
	p("- dlgo")
	if m.Revision != "" {
		p(" %s", m.Revision)
	}
	p(": Go %s, GOMAXPROCS %d (%s)", strings.TrimPrefix(m.Go, "go"), m.GOMAXPROCS, m.GOMAXPROCSFrom)
	if m.Gorgonia != "" {
		p(", Gorgonia %s", m.Gorgonia)
	}
	p("\n")
	p("%s", peerLines(rep))
	p("%s", peakLines(rep.Peaks, rep.PeakGFLOPs))
	s := rep.Settings
	p("- Settings: float32, batch %d, Adam (lr %g, betas 0.9 and 0.999, epsilon 1e-7), cross-entropy from the logits, seed %d",
		s.BatchSize, s.LearningRate, s.Seed)
	for _, model := range rep.Models {
		switch model {
		case modelMLP:
			p("; MLP without dropout, %s", plural(s.EpochsMLP, "epoch"))
		case modelConvNet:
			p("; ConvNet with its dropout 0.5, %s", plural(s.EpochsConvNet, "epoch"))
		}
	}
	if s.Smoke {
		p("; smoke run: %d training and %d test images", smokeTrain, smokeTest)
	}
	p("\n")
	p("- s/epoch: median over all epochs, the first included, of one epoch's training loop (shuffle, batches, forward, backward, update; no data loading)\n")
	p("- inference: test images ÷ the best time of %s over them in batches of %d, forward only (PyTorch: eval mode, no_grad)\n", plural(s.InferRuns, "pass"), s.InferBatch)
	if s.LatencyCalls > 0 {
		p("- 1-image predict: 50th and 99th percentiles of %s calls on one test image each (dlgo: Model.Predict; PyTorch: the model in eval mode under no_grad)\n", group(float64(s.LatencyCalls)))
	}
	p("- FLOP/s: 3 × the forward pass's multiply-adds × 2 per image (dense and convolution layers), times the images of an epoch, ÷ s/epoch\n")
	p("- peak RSS: each implementation and model in its own child process, its maximum resident set size (getrusage)\n")
	p("- Every epoch's and every pass's time, the versions and torch.__config__.show() are in the JSON (-json FILE)\n")
	p("- Command: `%s`\n", rep.Command)
	return bw.Flush()
}

// peakLines describes the GEMM peaks and what the FLOP/s figures are
// divided by.
func peakLines(peaks []peak, fastest float64) string {
	if len(peaks) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "- GEMM peak, float32 %d×%d product, best of %d:", peaks[0].N, peaks[0].N, len(peaks[0].Seconds))
	for i, pk := range peaks {
		if i > 0 {
			b.WriteString(";")
		}
		if pk.Error != "" {
			fmt.Fprintf(&b, " %s failed (%s)", pk.Label, firstLine(pk.Error))
			continue
		}
		fmt.Fprintf(&b, " %s %.0f GFLOP/s", pk.Label, pk.GFLOPs)
	}
	if fastest > 0 {
		fmt.Fprintf(&b, "; FLOP/s are divided by the fastest, %.0f GFLOP/s", fastest)
	}
	b.WriteString("\n")
	return b.String()
}

// fractionCell formats a fraction of the GEMM peak.
func fractionCell(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", v)
}

// latencyCell formats r's prediction latency percentiles in µs.
func latencyCell(r result) string {
	if len(r.PredictSeconds) != 2 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f / %.0f", r.PredictSeconds[0]*1e6, r.PredictSeconds[1]*1e6)
}

// peerLines describes the Python side: versions and PyTorch's settings.
func peerLines(rep *report) string {
	var torch, sk *result // PyTorch with its defaults if it ran, else any PyTorch
	for i := range rep.Results {
		r := &rep.Results[i]
		switch {
		case !r.ok():
		case r.Impl == peerTorch && (torch == nil || r.Name == peerTorch && torch.Name != peerTorch):
			torch = r
		case r.Impl == peerSklearn && sk == nil:
			sk = r
		}
	}
	var b strings.Builder
	if torch != nil {
		in := torch.Info
		if len(in.BlasThreads) > 0 && torch.blas() == 0 {
			b.WriteString("- Warning: threadpoolctl found no optimised BLAS in PyTorch's process, whose dense layers then use the reference BLAS; on Debian, apt-get install libopenblas0-pthread\n")
		}
		fmt.Fprintf(&b, "- PyTorch %s: CPU capability %s, oneDNN %s", in.Torch, orUnknown(in.CPUCapability), yesNo(in.MKLDNN))
		if torch.Name == peerTorch {
			fmt.Fprintf(&b, "; its default threads here: intra-op %d, inter-op %d", in.TorchThreads, in.TorchInteropThreads)
			if bl := torch.blas(); bl > 0 {
				fmt.Fprintf(&b, ", OpenBLAS %d", bl)
			}
		}
		b.WriteString("\n")
	}
	if sk != nil {
		fmt.Fprintf(&b, "- scikit-learn %s, MLPClassifier in %s\n", sk.Info.Sklearn, sk.DType)
	}
	var in info
	switch {
	case torch != nil:
		in = torch.Info
	case sk != nil:
		in = sk.Info
	}
	switch {
	case in.Python != "":
		fmt.Fprintf(&b, "- Python %s, numpy %s\n", in.Python, in.Numpy)
	case rep.Python != nil:
		fmt.Fprintf(&b, "- Python %s (%s)", rep.Python.Version, rep.Python.Path)
		for _, mod := range []string{"numpy", "torch", "sklearn"} {
			if v, ok := rep.Python.Versions[mod]; ok {
				fmt.Fprintf(&b, ", %s %s", mod, v)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// ratioCell formats a ratio with the peer it is against and, if target is
// set, whether it meets it.
func ratioCell(v *float64, peer string, target func(float64) bool) string {
	if v == nil {
		return "n/a"
	}
	s := fmt.Sprintf("%.2f", *v)
	if *v < 0.1 {
		s = fmt.Sprintf("%.2g", *v)
	}
	if target != nil {
		if target(*v) {
			s += " ✓"
		} else {
			s += " ✗"
		}
	}
	return s + " (" + peer + ")"
}

// group formats v rounded to an integer with thousands separated by commas.
func group(v float64) string {
	s := strconv.FormatFloat(v, 'f', 0, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// writeJSON writes the report to path, indented.
func writeJSON(path string, rep any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return fmt.Errorf("encoding the results: %w", err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing the results: %w", err)
	}
	return nil
}

// machine describes where the benchmark ran.
type machine struct {
	CPU            string `json:"cpu"`
	CPUs           int    `json:"cpus"`
	GOOS           string `json:"goos"`
	GOARCH         string `json:"goarch"`
	Go             string `json:"go"`
	GOMAXPROCS     int    `json:"gomaxprocs"`
	GOMAXPROCSFrom string `json:"gomaxprocs_from"`
	Gorgonia       string `json:"gorgonia,omitempty"`
	Revision       string `json:"dlgo_revision,omitempty"`
	LoadAverage    string `json:"load_average,omitempty"`
}

// machineInfo describes this machine, reading /proc where it can.
func machineInfo() machine {
	m := machine{
		CPU:            runtime.GOARCH,
		CPUs:           runtime.NumCPU(),
		GOOS:           runtime.GOOS,
		GOARCH:         runtime.GOARCH,
		Go:             runtime.Version(),
		GOMAXPROCS:     runtime.GOMAXPROCS(0),
		GOMAXPROCSFrom: "Go's default",
		Gorgonia:       depVersion("gorgonia.org/gorgonia"),
		Revision:       revision(),
	}
	if v := os.Getenv("GOMAXPROCS"); v != "" {
		m.GOMAXPROCSFrom = "GOMAXPROCS=" + v + " in the environment"
	}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(data)); len(f) >= 3 {
			m.LoadAverage = strings.Join(f[:3], " ")
		}
	}
	return m
}

// revision returns the dlgo commit measured: the one the binary was built
// from, or else the working tree's HEAD, with "+changes" when the tree
// differs from it (go run does not stamp the revision). It is "" outside a
// Git working tree.
func revision() string {
	if v := buildVersion(); strings.Contains(v, " ") {
		_, rev, _ := strings.Cut(v, " ")
		return rev
	}
	out, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return ""
	}
	rev := strings.TrimSpace(string(out))
	if err := exec.Command("git", "diff", "--quiet", "HEAD", "--").Run(); err != nil {
		rev += "+changes"
	}
	return rev
}
