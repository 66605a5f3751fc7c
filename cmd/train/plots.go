package main

// writePlots draws the run's pictures into its directory; the file names
// go into o.plots.
func (o *runOutput) writePlots() error { return nil }
