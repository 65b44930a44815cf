# Shortcuts for developers; each target delegates to a script that also works on its own.
.PHONY: help run test package package-only package-test icon clean-package

help:
	@echo "make run           buka aplikasi (memasang .venv bila perlu)"
	@echo "make test          seluruh pengujian (SQLite + PostgreSQL)"
	@echo "make package       bangun paket dist/SiPelayanan/ lalu uji --version dan --self-test"
	@echo "make package-only  bangun paket tanpa pemeriksaan"
	@echo "make package-test  bangun paket lalu jalankan tests/test_bundle.py terhadapnya"
	@echo "make icon          gambar ulang resources/icons/app.ico dan app.png"
	@echo "make clean-package hapus dist/ dan build/"

run:
	scripts/run

test:
	scripts/test

package:
	installer/build.sh

package-only:
	installer/build.sh --no-check

package-test: package
	SIPELAYANAN_BUNDLE_DIR=dist/SiPelayanan .venv/bin/python -m pytest -q tests/test_bundle.py

icon:
	scripts/setup-venv
	.venv/bin/python installer/make_icon.py

clean-package:
	rm -rf dist build
