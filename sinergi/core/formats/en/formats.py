from django.conf.locale.en import formats as django

DATE_INPUT_FORMATS = ["%Y-%m-%d", *django.DATE_INPUT_FORMATS]
TIME_INPUT_FORMATS = ["%H:%M", *django.TIME_INPUT_FORMATS]
DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", *django.DATETIME_INPUT_FORMATS]
