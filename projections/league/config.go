package league

import (
	_ "embed"
	"fmt"
	"os"
	"strings"

	"github.com/BurntSushi/toml"
)

// Config is a campaign's configuration of its league tables.
type Config struct {
	Name          string `toml:"name" json:"name"`
	Normalisation string `toml:"normalisation" json:"normalisation"` // minmax or rank
	RedList       int    `toml:"red_list" json:"red_list"`
	BlackList     int    `toml:"black_list" json:"black_list"`
	// RisingMayBeRed lets a unit whose petitions and suits rose (只降不升
	// breached) onto the red list; by default it may not.
	RisingMayBeRed bool           `toml:"rising_may_be_red" json:"rising_may_be_red"`
	Metrics        []MetricWeight `toml:"metric" json:"metrics"`
}

// MetricWeight is one metric of the composite score.
type MetricWeight struct {
	Key       string  `toml:"key" json:"key"`
	Weight    float64 `toml:"weight" json:"weight"`
	Direction string  `toml:"direction" json:"direction,omitempty"` // higher or lower; empty: the metric's own
}

//go:embed campaign.toml
var defaultConfig string

// DefaultConfig is the configuration shipped with casetrack.
func DefaultConfig() Config {
	c, err := ParseConfig(defaultConfig)
	if err != nil {
		panic("default campaign config: " + err.Error())
	}
	return c
}

// LoadConfig reads a campaign configuration file (TOML).
func LoadConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, err
	}
	c, err := ParseConfig(string(b))
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// ParseConfig parses and checks a configuration.
func ParseConfig(text string) (Config, error) {
	var c Config
	md, err := toml.Decode(text, &c)
	if err != nil {
		return Config{}, err
	}
	var problems []string
	if keys := md.Undecoded(); len(keys) > 0 {
		problems = append(problems, fmt.Sprintf("unknown settings %v", keys))
	}
	switch c.Normalisation {
	case "":
		c.Normalisation = "minmax"
	case "minmax", "rank":
	default:
		problems = append(problems, fmt.Sprintf("normalisation %q is not minmax or rank", c.Normalisation))
	}
	if c.RedList < 0 || c.BlackList < 0 {
		problems = append(problems, "red_list and black_list cannot be negative")
	}
	seen, total := map[string]bool{}, 0.0
	for i, m := range c.Metrics {
		if _, ok := metricDef(m.Key); !ok {
			problems = append(problems, fmt.Sprintf("metric[%d]: unknown metric %q", i, m.Key))
		}
		if seen[m.Key] {
			problems = append(problems, fmt.Sprintf("metric[%d]: %s listed twice", i, m.Key))
		}
		seen[m.Key] = true
		if m.Weight < 0 {
			problems = append(problems, fmt.Sprintf("metric[%d]: negative weight", i))
		}
		if m.Direction != "" && m.Direction != "higher" && m.Direction != "lower" {
			problems = append(problems, fmt.Sprintf("metric[%d]: direction %q is not higher or lower", i, m.Direction))
		}
		total += m.Weight
	}
	if total <= 0 {
		problems = append(problems, "the weights add up to nothing")
	}
	if len(problems) > 0 {
		return Config{}, fmt.Errorf("campaign config: %s", strings.Join(problems, "; "))
	}
	return c, nil
}
