package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
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
}

// computeRatios compares, for each model, dlgo's figures with the best of
// its peers that produced figures.
func computeRatios(results []result, models []string) []ratio {
	var out []ratio
	for _, model := range models {
		q := ratio{Model: model}
		var dl *result
		var fastest, quickest, smallest *result
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
		}
		out = append(out, q)
	}
	return out
}

// modelTitle names a model in the table.
func modelTitle(model string) string {
	switch model {
	case modelMLP:
		return "MLP 784-128-64-10"
	case modelConvNet:
		return "ConvNet (Keras MNIST)"
	}
	return model
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
	p("| model | implementation | threads | s/epoch | inference img/s | peak RSS (MiB) | test accuracy |\n")
	p("|---|---|---|--:|--:|--:|--:|\n")
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
			p("| %s | %s | %s | %.2f | %s | %.0f | %.4f |\n", modelTitle(model), r.Label, threadsLabel(r),
				r.secondsPerEpoch(), group(r.ImagesPerSecond), mib(r.MaxRSSBytes), r.TestAccuracy)
		}
	}

	p("\n| model | dlgo ÷ fastest peer, s/epoch (target ≤ 1) | dlgo ÷ PyTorch, img/s (target ≥ 1) | dlgo ÷ PyTorch, peak RSS |\n")
	p("|---|--:|--:|--:|\n")
	for _, q := range rep.Ratios {
		p("| %s | %s | %s | %s |\n", modelTitle(q.Model),
			ratioCell(q.Time, labelOf(rep.Results, q.Model, q.TimePeer), func(v float64) bool { return v <= 1 }),
			ratioCell(q.Throughput, labelOf(rep.Results, q.Model, q.ThroughputPeer), func(v float64) bool { return v >= 1 }),
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
			p("- %s, %s: %s: %s\n", r.Label, modelTitle(r.Model), verb, firstLine(r.Error))
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
	p("- peak RSS: each implementation and model in its own child process, its maximum resident set size (getrusage)\n")
	p("- Every epoch's and every pass's time, the versions and torch.__config__.show() are in the JSON (-json FILE)\n")
	p("- Command: `%s`\n", rep.Command)
	return bw.Flush()
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
func writeJSON(path string, rep *report) error {
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
