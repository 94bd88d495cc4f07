"""Information (Məlumatlandırma): local executives' news, announcements and works done, and citizens following them."""
