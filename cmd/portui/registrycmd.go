package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/registry/store"
	"github.com/portui/portui/internal/report"
	"github.com/portui/portui/internal/sanitize"
)

// httpClient fetches `registry update --download`; tests point it at a
// local TLS server.
var httpClient = http.DefaultClient

func (a *app) registryCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "registry",
		Short: "Show or update the IANA registry portui uses",
		Long: "portui ships IANA's registry embedded. `registry update` installs a newer one " +
			"(IANA's XML or CSV export) in your data directory; every command then prefers it. " +
			"`registry reset` removes it again.",
	}
	cmd.AddCommand(a.registryInfoCmd(), a.registryUpdateCmd(), a.registryResetCmd())
	return cmd
}

func (a *app) registryInfoCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "info",
		Short: "Which registry is active: embedded or yours, its IANA date, records, checksum",
		Args:  exactArgs(0, "no arguments"),
	}
	out := addOutputFlags(cmd, report.SchemaRegistry)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		f, err := out.selected(cmd)
		if err != nil {
			return err
		}
		reg, info, err := a.registry()
		if err != nil {
			return err
		}
		var warnings []string
		if w := audit.RegistryAgeText(reg, time.Now()); w != "" {
			warnings = append(warnings, w)
		}
		hint := ""
		if info.Kind == "embedded" {
			if dir, err := store.Dir(); err == nil {
				// The directory comes from the environment: neutralised here.
				hint = "`portui registry update FILE` would install a newer one in " + sanitize.Line(dir)
			}
		}
		return a.emit(f, report.NewRegistryDoc(info, hint, warnings...))
	}
	return cmd
}

func (a *app) registryResetCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "reset",
		Short: "Go back to the embedded registry: remove the one `registry update` installed",
		Long: "Remove your registry ($XDG_DATA_HOME/portui/registry.json), so that every command " +
			"uses the registry embedded in this binary again. Having none is not an error.",
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := store.Dir()
			if err != nil {
				return usageErr(err)
			}
			path, removed, err := store.Reset(dir)
			if err != nil {
				return usageErr(err)
			}
			date := ""
			if _, info, err := store.Open(cmd.Context(), ""); err == nil && info.Kind == "embedded" {
				date = " (IANA " + info.Updated + ")"
			}
			msg := "no registry of yours at " + path + ": the embedded registry" + date + " is already active\n"
			if removed {
				msg = "removed " + path + ": the embedded registry" + date + " is active again\n"
			}
			_, err = io.WriteString(a.stdout, msg)
			return err
		},
	}
}

func (a *app) registryUpdateCmd() *cobra.Command {
	var (
		download bool
		url      string
		timeout  time.Duration
		maxBytes int64
		force    bool
	)
	cmd := &cobra.Command{
		Use:   "update FILE | --download",
		Short: "Install a newer IANA registry (XML or CSV export, or downloaded from IANA)",
		Long: "Validate and convert IANA's registry export, then install it atomically in " +
			"$XDG_DATA_HOME/portui/registry.json. If anything fails, the previous registry " +
			"stays in place. The export must look whole: at least 90% as many records as the " +
			"embedded registry, well-known services (22/tcp ssh, 53/udp domain, 80/tcp http, " +
			"443/tcp https, 5432/tcp postgresql, 6379/tcp redis, 8080/tcp http-alt) and every " +
			"system port present, and a date not older than the embedded registry's (--force " +
			"waives the date, nothing else).",
		Example: "  portui registry update service-names-port-numbers.xml\n  portui registry update --download",
		RunE: func(cmd *cobra.Command, args []string) error {
			if download && len(args) > 0 {
				return usageErr(errors.New("registry update takes a FILE or --download, not both"))
			}
			if !download && len(args) != 1 {
				return usageErr(errors.New("registry update takes one FILE (IANA's XML or CSV export) or --download"))
			}
			if maxBytes > store.MaxExportBytes {
				// Update refuses more than MaxExportBytes anyway: refuse
				// now rather than after the download.
				return usageErr(fmt.Errorf("--max-bytes %d is over the %d MiB (%d bytes) an update takes: it can only lower that cap", maxBytes, store.MaxExportBytes>>20, store.MaxExportBytes))
			}
			dir, err := store.Dir()
			if err != nil {
				return err
			}
			opts := store.UpdateOptions{Force: force}
			var info store.Info
			if download {
				var raw []byte
				if raw, err = store.Download(cmd.Context(), httpClient, url, maxBytes, timeout); err != nil {
					return fmt.Errorf("%w; the previous registry is unchanged", err)
				}
				info, err = store.Update(cmd.Context(), dir, url, raw, opts)
			} else {
				info, err = store.UpdateFile(cmd.Context(), dir, args[0], opts)
			}
			if err != nil {
				return usageErr(fmt.Errorf("%w; the previous registry is unchanged", err))
			}
			_, err = fmt.Fprintf(a.stdout, "installed %s: IANA registry of %s, %d records, sha256 %s\n", info.Path, info.Updated, info.Records, info.Source.SHA256)
			return err
		},
	}
	cmd.Flags().BoolVar(&download, "download", false, "fetch the XML from IANA over HTTPS")
	cmd.Flags().StringVar(&url, "url", store.IANAURL, "where --download fetches from")
	cmd.Flags().DurationVar(&timeout, "timeout", store.DefaultTimeout, "give up a download after this long")
	cmd.Flags().Int64Var(&maxBytes, "max-bytes", store.DefaultMaxBytes, fmt.Sprintf("refuse a download larger than this (it can only lower the %d MiB cap of an update)", store.MaxExportBytes>>20))
	cmd.Flags().BoolVar(&force, "force", false, "install a registry older than the embedded one (or undated); every other check still applies")
	return cmd
}
