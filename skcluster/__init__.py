"""skcluster: research clustering, novel-class discovery and resampling, the scikit-learn way.

``import skcluster`` is cheap: it loads neither Numba nor CuPy; kernels compile on first use
and are cached on disk.
"""

from ._config import config_context, get_config, set_config
from ._show_versions import show_versions

__version__ = "0.1.0.dev0"

__all__ = ["config_context", "get_config", "set_config", "show_versions", "__version__"]
