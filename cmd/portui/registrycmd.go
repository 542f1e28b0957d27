package main

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/portui/portui/internal/registry/store"
)

// httpClient fetches `registry update --download`; tests point it at a
// local TLS server.
var httpClient = http.DefaultClient

func (a *app) registryCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "registry",
		Short: "Show or update the IANA registry portui uses",
		Long: "portui ships IANA's registry embedded. `registry update` installs a newer one\n" +
			"(IANA's XML or CSV export) in your data directory; every command then prefers it.",
	}
	cmd.AddCommand(a.registryInfoCmd(), a.registryUpdateCmd())
	return cmd
}

func (a *app) registryInfoCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "info",
		Short: "Which registry is active: embedded or yours, its IANA date, records, checksum",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, info, err := a.registry()
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, registryInfoJSON(info))
			}
			printRegistryInfo(a, info)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printRegistryInfo(a *app, info store.Info) {
	w := colorWriter(a.stdout)
	st := newTextStyles()
	where := "embedded in this binary"
	if info.Path != "" {
		where = info.Path
	}
	fmt.Fprintf(w, "%s %s (%s)\n", st.label.Render("active    "), info.Kind, where)
	fmt.Fprintf(w, "%s %s\n", st.label.Render("IANA date "), info.Updated)
	fmt.Fprintf(w, "%s %d\n", st.label.Render("records   "), info.Records)
	fmt.Fprintf(w, "%s %s (%s)\n", st.label.Render("source    "), info.Source.File, info.Source.Format)
	fmt.Fprintf(w, "%s %s\n", st.label.Render("sha256    "), info.Source.SHA256)
	if info.Kind == "embedded" {
		if dir, err := store.Dir(); err == nil {
			fmt.Fprintf(w, "%s\n", st.dim.Render("`portui registry update FILE` would install a newer one in "+dir))
		}
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
		Long: "Validate and convert IANA's registry export, then install it atomically in\n" +
			"$XDG_DATA_HOME/portui/registry.json. If anything fails, the previous registry\n" +
			"stays in place. The export must look whole: at least 90% as many records as the\n" +
			"embedded registry, well-known services (22/tcp ssh, 53/udp domain, 80/tcp http,\n" +
			"443/tcp https, 5432/tcp postgresql, 6379/tcp redis, 8080/tcp http-alt) and every\n" +
			"system port present, and a date not older than the embedded registry's (--force\n" +
			"waives the date, nothing else).",
		Example: "  portui registry update service-names-port-numbers.xml\n  portui registry update --download",
		RunE: func(cmd *cobra.Command, args []string) error {
			if download && len(args) > 0 {
				return usageErr(errors.New("registry update takes a FILE or --download, not both"))
			}
			if !download && len(args) != 1 {
				return usageErr(errors.New("registry update takes one FILE (IANA's XML or CSV export) or --download"))
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
	cmd.Flags().Int64Var(&maxBytes, "max-bytes", store.DefaultMaxBytes, "refuse a download larger than this")
	cmd.Flags().BoolVar(&force, "force", false, "install a registry older than the embedded one (or undated); every other check still applies")
	return cmd
}
