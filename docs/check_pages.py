"""Open built pages of the docs in headless Chromium; fail on a missing image or a broken internal link.

    python docs/check_pages.py docs/_build/html

Opens the index, one user-guide page, one API page and one gallery page
(Debian's ``chromium`` and ``chromium-driver``, driven by selenium), checks
in the browser that every image on them loaded, follows every internal link
on them to a page that exists (and to an element with the linked id), and
saves a screenshot of each under ``docs/_build/screenshots``.
"""

import argparse
import shutil
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

from selenium import webdriver
from selenium.webdriver.common.by import By

PAGES = (
    "index.html",
    "user_guide/pipelines.html",
    "generated/augment.VAEGenerator.html",
    "auto_examples/quickstart.html",
)
BROKEN_IMAGES = "return [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"


def browser():
    """Headless Chromium through the system's chromedriver (no driver download, no network)."""
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver:
        sys.exit("check_pages.py needs Debian's chromium and chromium-driver: apt-get install chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1600"):
        options.add_argument(argument)
    return webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=driver))


def target_problem(driver, href, root):
    """Why an internal link is broken, or ``None``: its file must exist and hold the linked id."""
    url = urlparse(href)
    path = Path(unquote(url.path))
    if not path.is_relative_to(root):
        return None
    if not path.is_file():
        return f"{href}: no such page"
    if url.fragment:
        driver.get(href)
        if not driver.find_elements(By.ID, unquote(url.fragment)):
            return f"{href}: no element with id {url.fragment!r}"
    return None


def check(root, shots):
    problems, driver = [], browser()
    try:
        for page in PAGES:
            path = root / page
            if not path.is_file():
                problems.append(f"{page}: not built")
                continue
            driver.get(path.as_uri())
            broken = driver.execute_script(BROKEN_IMAGES)
            problems += [f"{page}: image did not load: {src}" for src in broken]
            images = len(driver.find_elements(By.TAG_NAME, "img"))
            driver.save_screenshot(str(shots / f"{page.replace('/', '_').removesuffix('.html')}.png"))
            links = {a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "a[href]")}
            internal = sorted(h for h in links if h and h.startswith("file://"))
            problems += [f"{page}: {p}" for h in internal if (p := target_problem(driver, h, root))]
            print(f"{page}: {images - len(broken)} of {images} images loaded, {len(internal)} internal links followed")
    finally:
        driver.quit()
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("html", type=Path, help="the built HTML folder")
    root = parser.parse_args().html.resolve()
    shots = root.parent / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    problems = check(root, shots)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"screenshots in {shots}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
